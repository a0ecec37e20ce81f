import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { collect, op, tempDir, testConfig, upstream } from './fixtures/config.js';
import { redisPerTest } from '../helpers/redis-server.js';

/** A real redis-server for one test, stopped after it. */
const redis = redisPerTest();

/** node:fs that counts readSync calls (every read of an entry file goes through it). */
function countingFs() {
  const counts = { readSyncCalls: 0 };
  const ops = {
    ...fs,
    readSync: ((...args: Parameters<typeof fs.readSync>) => {
      counts.readSyncCalls++;
      return fs.readSync(...args);
    }) as typeof fs.readSync,
  } as typeof fs;
  return { counts, ops };
}

/** An engine with a real Redis tier over a new cache dir, counting its reads of entry files. */
async function engineCountingReads() {
  const { url } = await redis();
  const dir = tempDir();
  const { counts, ops } = countingFs();
  const warnings: string[] = [];
  const engine = createEngine({ config: testConfig(dir, { redisUrl: url, redisTimeout: 2_000 }), clock: new ManualClock(), warn: (m) => warnings.push(m), diskFileOps: ops });
  return { url, dir, counts, warnings, engine };
}

describe('engine and the Redis tier', () => {
  it('does not read a fresh entry too big for Redis back from disk, and does not share it', async () => {
    const { url, dir, counts, warnings, engine } = await engineCountingReads();
    // Random text barely compresses: about 2 MB of it makes an entry file well over the 1 MiB Redis bound.
    const pages = Array.from({ length: 4 }, (_, p) => Array.from({ length: 125 }, (_, i) => ({ id: `${p}-${i}`, blob: randomBytes(3_000).toString('base64') })));
    expect(await collect(engine.stream(op(), upstream(pages).fetch))).toEqual(pages.flat());
    const [file] = fs.readdirSync(path.join(dir, 'l2')).filter((n) => /\.[et]$/.test(n));
    expect(fs.statSync(path.join(dir, 'l2', file)).size).toBeGreaterThan(1024 * 1024);
    // Redis stayed up (it was asked on the miss), yet the new file was never read back.
    expect(warnings).toEqual([]);
    expect(counts.readSyncCalls).toBe(0);
    const tiers = (await collect(engine.entries())).map((e) => e.tier);
    expect(tiers).toContain('disk');
    expect(tiers).not.toContain('redis');
    await engine.close();
  });

  it('shares a fresh small entry with Redis from the bytes it wrote, without reading the file back', async () => {
    const { url, dir, counts, warnings, engine } = await engineCountingReads();
    const pages = [[{ id: 'i-1', state: 'running' }], [{ id: 'i-2', state: 'stopped' }]];
    expect(await collect(engine.stream(op(), upstream(pages).fetch))).toEqual(pages.flat());
    expect(warnings).toEqual([]);
    expect(counts.readSyncCalls).toBe(0);
    expect((await collect(engine.entries())).map((e) => e.tier).sort()).toEqual(['disk', 'memory', 'redis']);
    // what Redis holds is the entry itself: a second engine on an empty disk is served from it
    const other = createEngine({ config: testConfig(tempDir(), { redisUrl: url, redisTimeout: 2_000 }), clock: new ManualClock(), warn: (m) => warnings.push(m) });
    expect(await collect(other.stream(op(), upstream<Record<string, unknown>>([]).fetch))).toEqual(pages.flat());
    await other.close();
    await engine.close();
  });
});
