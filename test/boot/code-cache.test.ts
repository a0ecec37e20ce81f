// The code cache hook in real processes (V8 also caches compiled code within one process, which
// would hide whether the file was used): each load is a new node process that installs the hook,
// requires a CommonJS bundle through Node's loader and flushes at the end.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'strata-code-cache-'));
const lib = join(dir, 'lib');
const cacheDir = join(dir, 'cache');
const bundle = join(lib, 'core.cjs');
const driver = join(dir, 'driver.cjs');

beforeAll(() => {
  mkdirSync(lib);
  buildSync({ entryPoints: [join(root, 'src/boot/code-cache.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'hook.cjs'), logLevel: 'error' });
  writeFileSync(
    driver,
    `const { installCodeCache } = require('./hook.cjs');
const [file, variant, cacheDir] = process.argv.slice(2);
const hook = installCodeCache({ libDir: ${JSON.stringify(lib)}, cacheDir, variant });
const mod = require(file);
hook.flush();
console.log(JSON.stringify({ answer: mod.answer(21), dir: mod.dir, loads: hook.loads.map((l) => l.cache) }));
`,
  );
  writeFileSync(bundle, 'exports.answer = (x) => x * 2; exports.dir = __dirname;\n');
  writeFileSync(join(dir, 'outside.cjs'), 'exports.answer = (x) => x;\n');
});

function load(file = bundle, variant = 'count', dirOfCache = cacheDir): { answer: number; dir: string; loads: string[] } {
  return JSON.parse(execFileSync(process.execPath, [driver, file, variant, dirOfCache], { encoding: 'utf8' }));
}
const caches = () => readdirSync(cacheDir).filter((f) => f.endsWith('.v8'));

describe('code cache', () => {
  it('compiles a bundle without a cache, writes one, and uses it in the next process', () => {
    expect(load()).toEqual({ answer: 42, dir: lib, loads: ['created'] });
    expect(caches()).toHaveLength(1);
    expect(load()).toEqual({ answer: 42, dir: lib, loads: ['accepted'] });
  });

  it('keeps one cache per command word', () => {
    expect(load(bundle, 'tasks').loads).toEqual(['created']);
    expect(load(bundle, 'tasks').loads).toEqual(['accepted']);
    expect(caches().filter((f) => f.includes('.tasks.'))).toHaveLength(1);
  });

  it('rejects a corrupt cache, still runs, and replaces the cache', () => {
    writeFileSync(join(cacheDir, caches().find((f) => f.includes('.count.'))!), Buffer.alloc(4096, 7));
    expect(load()).toMatchObject({ answer: 42, loads: ['rejected'] });
    expect(load().loads).toEqual(['accepted']);
  });

  it("never serves an earlier build's cache, and removes those caches", () => {
    writeFileSync(bundle, 'exports.answer = (x) => x * 3;\n');
    expect(load()).toMatchObject({ answer: 63, loads: ['created'] });
    expect(caches()).toHaveLength(1);
    expect(load()).toMatchObject({ answer: 63, loads: ['accepted'] });
  });

  it('writes caches only this user can read or change, and ignores one that others could write', () => {
    const file = join(cacheDir, caches()[0]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    chmodSync(file, 0o666);
    expect(load().loads).toEqual(['created']);
    expect(statSync(join(cacheDir, caches()[0])).mode & 0o777).toBe(0o600);
    expect(load().loads).toEqual(['accepted']);
  });

  it('leaves files outside the bundle folder to Node', () => {
    expect(load(join(dir, 'outside.cjs'))).toMatchObject({ answer: 21, loads: [] });
  });

  it('runs without a cache where none can be written', () => {
    const blocked = join(dir, 'outside.cjs', 'cache'); // under a file: no directory can be made there (even as root)
    expect(load(bundle, 'count', blocked)).toMatchObject({ answer: 63, loads: ['created'] });
    expect(load(bundle, 'count', blocked)).toMatchObject({ answer: 63, loads: ['created'] });
  });
});
