import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiskStore } from '../../src/cache/disk.js';
import { LockDir } from '../../src/cache/lock.js';
import { createEngine } from '../../src/engine/index.js';
import { operationKey } from '../../src/engine/key.js';
import { tempDir } from './fixtures/config.js';
import { evictionRace } from './fixtures/eviction-race.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let childScript: string;
let evictingScript: string;

beforeAll(async () => {
  const out = tempDir('strata-child-');
  childScript = path.join(out, 'child.mjs');
  evictingScript = path.join(out, 'evicting-child.mjs');
  for (const [src, outfile] of [['child.ts', childScript], ['evicting-child.ts', evictingScript]]) {
    await build({ entryPoints: [path.join(here, 'fixtures', src)], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent' });
  }
});

function runChild(dir: string, counter: string, ms: number): Promise<{ code: number | null; out: string; err: string }> {
  return spawnNode(childScript, [dir, counter, String(ms)]);
}

function spawnNode(script: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('8 processes reading distinct keys on a cache dir far too small race their eviction sweeps safely', async () => {
    const dir = tempDir();
    const maxBytes = 32 * 1024; // ten entries of ~3 KB; the processes write 96 keys, three times over
    const { PROCESSES, KEYS, ROUNDS, opOf, pagesOf } = evictionRace;
    const results = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => spawnNode(evictingScript, [dir, String(i), String(maxBytes)])));
    const tallies = results.map((r) => {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.out) as { reads: number; diskHits: number; diskMisses: number };
    });
    // every engine read returned the right records (a child exits non-zero otherwise), and every
    // direct read of another process's entry found it whole and right, or found nothing
    for (const t of tallies) expect(t.reads).toBe(KEYS * ROUNDS);
    expect(tallies.reduce((n, t) => n + t.diskHits + t.diskMisses, 0)).toBe(PROCESSES * KEYS * ROUNDS);
    expect(tallies.reduce((n, t) => n + t.diskHits, 0)).toBeGreaterThan(0);
    // afterwards (every process swept as it closed): within the bound, no temp file, no lock, and what is left is whole
    const store = new DiskStore({ dir, maxBytes, now: Date.now });
    const left = [...store.list()];
    expect(left.reduce((n, e) => n + e.bytes, 0)).toBeLessThanOrEqual(maxBytes);
    expect(left.length).toBeLessThan(PROCESSES * KEYS);
    expect(fs.readdirSync(store.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'locks'))).toEqual([]);
    const expected = new Map<string, unknown[]>();
    for (let p = 0; p < PROCESSES; p++) for (let k = 0; k < KEYS; k++) expected.set(operationKey(opOf(p, k)), pagesOf(p, k).flat());
    for (const e of left) expect([...store.read(e.key)!.chunks()].flatMap((c) => JSON.parse(c))).toEqual(expected.get(e.key));
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
