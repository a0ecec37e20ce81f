import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { LockDir } from '../../src/cache/lock.js';
import { createEngine } from '../../src/engine/index.js';
import { tempDir } from './fixtures/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let childScript: string;

beforeAll(async () => {
  childScript = path.join(tempDir('strata-child-'), 'child.mjs');
  await build({ entryPoints: [path.join(here, 'fixtures/child.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: childScript, logLevel: 'silent' });
});

function runChild(dir: string, counter: string, ms: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [childScript, dir, counter, String(ms)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const expected = [0, 1, 2].map((i) => ({ Key: `k${i}`, Size: i }));

describe('engine dedup across processes', () => {
  it('8 processes reading the same operation on one cache dir make exactly one upstream call', async () => {
    const dir = tempDir();
    const counter = path.join(dir, '..', `${path.basename(dir)}.calls`);
    const results = await Promise.all(Array.from({ length: 8 }, () => runChild(dir, counter, 400)));
    for (const r of results) {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual(expected);
    }
    expect(fs.readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(fs.readdirSync(path.join(dir, 'locks'))).toEqual([]);
  });

  it('recovers a lock left by a process that died holding it', async () => {
    const dir = tempDir();
    const counter = path.join(dir, '..', `${path.basename(dir)}.calls`);
    const dead = await new Promise<number>((resolve) => {
      const p = spawn(process.execPath, ['-e', '0']);
      p.on('exit', () => resolve(p.pid!));
    });
    const engine = createEngine({ config: (await import('./fixtures/config.js')).testConfig(dir), warn: () => {} });
    const key = engine.key({ service: 's3', name: 'ListObjectsV2', params: { Bucket: 'shared' }, scope: { profile: 'default', region: 'us-east-1' } });
    await engine.close();
    const locks = new LockDir({ dir, now: Date.now });
    locks.init();
    const held = locks.tryAcquire(key)!;
    const [lockFile] = fs.readdirSync(path.join(dir, 'locks'));
    const content = JSON.parse(fs.readFileSync(path.join(dir, 'locks', lockFile), 'utf8'));
    fs.writeFileSync(path.join(dir, 'locks', lockFile), JSON.stringify({ ...content, pid: dead, token: 'dead' }));
    // Its holder "died": the file now names a dead pid.
    const r = await runChild(dir, counter, 0);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(expected);
    expect(fs.readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(1);
    held.release(); // stops its heartbeat; the token no longer matches, so nothing is removed
  });
});

describe('lock files', () => {
  it('a live holder keeps the lock; a lock not refreshed within staleMs is taken over', () => {
    const dir = tempDir();
    let now = 1_000_000;
    const a = new LockDir({ dir, now: () => now, staleMs: 30_000 });
    const b = new LockDir({ dir, now: () => now, staleMs: 30_000 });
    a.init();
    const lock = a.tryAcquire('k')!;
    expect(lock).toBeDefined();
    expect(b.tryAcquire('k')).toBeUndefined();
    now += 31_000; // no heartbeat ran: as if the holder hung on another host
    const taken = b.tryAcquire('k');
    expect(taken).toBeDefined();
    lock.release(); // the old holder's release must not remove the new holder's lock
    expect(a.tryAcquire('k')).toBeUndefined();
    taken!.release();
    expect(a.tryAcquire('k')).toBeDefined();
  });
});
