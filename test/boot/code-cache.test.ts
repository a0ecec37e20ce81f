// The code cache hook in real processes (V8 also caches compiled code within one process, which
// would hide whether the file was used): each load is a new node process that installs the hook,
// requires a CommonJS bundle through Node's loader and flushes at the end.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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
  writeFileSync(bundle, `${built('0000000000000001')}exports.answer = (x) => x * 2; exports.dir = __dirname;\n`);
  writeFileSync(join(dir, 'outside.cjs'), `${built('0000000000000009')}exports.answer = (x) => x;\n`);
});

/** The first line scripts/build.mjs gives every CommonJS bundle. */
const built = (id: string) => `"use strict";/*strata-build:${id}*/\n`;

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

  it('writes nothing once frozen (V8 flags are about to change), not even a bundle loaded after', () => {
    const frozenDir = join(dir, 'frozen-cache');
    const script = `const { installCodeCache } = require(${JSON.stringify(join(dir, 'hook.cjs'))});
const hook = installCodeCache({ libDir: ${JSON.stringify(lib)}, cacheDir: ${JSON.stringify(frozenDir)}, variant: 'count' });
hook.freeze();
require(${JSON.stringify(bundle)});
hook.flush();
console.log(JSON.stringify(hook.loads.map((l) => l.cache)));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual(['created']);
    expect(existsSync(frozenDir) ? readdirSync(frozenDir) : []).toEqual([]);
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

  it("never serves an earlier build's cache, even for source of the same length, and removes those a day old", () => {
    const before = caches();
    const dayOld = new Date(Date.now() - 25 * 3600_000);
    for (const f of before) utimesSync(join(cacheDir, f), dayOld, dayOld);
    // same length as the first build's text: V8 itself would accept the old cache for it
    writeFileSync(bundle, `${built('0000000000000002')}exports.answer = (x) => x * 3; exports.dir = __dirname;\n`);
    expect(load()).toMatchObject({ answer: 63, loads: ['created'] });
    expect(caches()).toHaveLength(1);
    expect(load()).toMatchObject({ answer: 63, loads: ['accepted'] });
  });

  it("keeps another build's recent caches: two installs sharing a folder do not rewrite each other's", () => {
    const other = join(lib, 'other', 'core.cjs');
    mkdirSync(join(lib, 'other'));
    writeFileSync(other, `${built('00000000000000aa')}exports.answer = (x) => x * 5;\n`);
    expect(load(other).loads).toEqual(['created']);
    expect(load().loads).toEqual(['accepted']);
    expect(load(other).loads).toEqual(['accepted']);
  });

  it('leaves a bundle without a build id to Node', () => {
    const plain = join(lib, 'plain.cjs');
    writeFileSync(plain, 'exports.answer = (x) => x + 1;\n');
    expect(load(plain)).toMatchObject({ answer: 22, loads: [] });
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

  it('never writes into a cache folder that others can write to', () => {
    const shared = join(dir, 'shared-cache');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(load(bundle, 'count', shared).loads).toEqual(['created']);
    expect(readdirSync(shared)).toEqual([]);
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

describe('code cache of the real CLI', () => {
  it('keeps a cache per command, and one shared by every word that names no command (a typo makes no file of its own)', () => {
    const home = mkdtempSync(join(tmpdir(), 'strata-code-cache-cli-'));
    const run = (args: string[], input = '') => {
      try {
        execFileSync(process.execPath, [join(root, 'bin', 'strata.js'), ...args], { input, env: { ...process.env, STRATA_CACHE_DIR: home, STRATA_CODE_CACHE: '' }, stdio: ['pipe', 'ignore', 'ignore'] });
      } catch {
        // a typo exits 2; only the cache files matter here
      }
    };
    run(['--version']);
    run(['count'], '[]');
    run(['s3x']);
    run(['tasksz', 'ls']);
    const codeDir = join(home, 'code', `${process.version}-${process.arch}`);
    const variants = readdirSync(codeDir).filter((f) => f.startsWith('core.cjs.')).map((f) => f.split('.')[2]).sort();
    expect(variants).toEqual(['_', 'count']);
  });

  it('stays accepted when a long run tunes the heap (written before the V8 flag changes, or short and long runs would reject each other\'s)', () => {
    const home = mkdtempSync(join(tmpdir(), 'strata-code-cache-flags-'));
    const env = { ...process.env, STRATA_CACHE_DIR: home, STRATA_CODE_CACHE: '' };
    const codeDir = join(home, 'code', `${process.version}-${process.arch}`);
    /** `count`, its stdin held open `ms` (a long run passes the boot's heap-tuning delay); the cache file's inode after. */
    const count = (ms: number) => {
      const script = `const { spawn } = require('node:child_process'); const c = spawn(process.execPath, [${JSON.stringify(join(root, 'bin', 'strata.js'))}, 'count'], { stdio: ['pipe', 'ignore', 'ignore'] }); c.stdin.write('[{"a":1}'); setTimeout(() => c.stdin.end(']'), ${ms}); c.on('exit', (code) => process.exit(code));`;
      execFileSync(process.execPath, ['-e', script], { env, stdio: 'ignore' });
      return readdirSync(codeDir).filter((f) => f.startsWith('core.cjs.count.')).map((f) => statSync(join(codeDir, f)).ino);
    };
    const first = count(800);
    expect(first).toHaveLength(1);
    expect(count(0)).toEqual(first); // a short run accepts what the long one wrote: no new file renamed over it
    expect(count(800)).toEqual(first);
    expect(count(0)).toEqual(first);
  });
});
