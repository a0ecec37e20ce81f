// A slow shared tier: a real redis-server, SIGSTOPped, keeps its connections and stops answering.
// Fake setTimeout (the tier's only timer) makes "within redisTimeout" exact, with no wall clock.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { cacheChannel, type CacheEvent } from '../../src/metrics/channels.js';
import { ManualClock } from '../../src/util/clock.js';
import { collect, op, tempDir, testConfig, upstream } from '../engine/fixtures/config.js';
import { redisPerTest } from '../helpers/redis-server.js';

const redis = redisPerTest();
// generous for the real connect of a loaded machine; the paused part runs on fake time anyway
const TIMEOUT = 2_000;
const pages = [[{ InstanceId: 'i-1' }], [{ InstanceId: 'i-2' }]];

afterEach(() => {
  vi.useRealTimers();
});

/** Lets pending I/O callbacks and promise chains run (setImmediate stays real). */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Redis events published while `fn` runs. */
async function redisEvents(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listen = (e: unknown) => (e as CacheEvent).tier === 'redis' && seen.push((e as CacheEvent).outcome);
  cacheChannel.subscribe(listen);
  try {
    await fn();
  } finally {
    cacheChannel.unsubscribe(listen);
  }
  return seen;
}

describe('a slow (paused) Redis', () => {
  it('costs one read exactly redisTimeout and one warning; the local tiers answer; after resume a new process shares again', async () => {
    const server = await redis();
    const dir = tempDir();
    const warnings: string[] = [];
    const make = (d = dir) => createEngine({ config: testConfig(d, { redisUrl: server.url, redisTimeout: TIMEOUT }), clock: new ManualClock(), warn: (m) => warnings.push(m) });
    const engine = make();
    // connected and answering: the first result is shared
    expect(await redisEvents(() => collect(engine.stream(op({ n: 1 }), upstream(pages).fetch)))).toEqual(['miss', 'set']);
    expect(warnings).toEqual([]);

    server.pause();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // a result on disk is served without asking Redis at all: no timer is even started
    const onDisk = make();
    expect(await collect(onDisk.stream(op({ n: 1 }), upstream<{ InstanceId: string }>([]).fetch))).toEqual(pages.flat());
    expect(vi.getTimerCount()).toBe(0);
    await onDisk.close();

    // a local miss asks Redis, which does not answer: the read waits redisTimeout, no longer
    const up = upstream(pages);
    let records: unknown[] | undefined;
    const reading = collect(engine.stream(op({ n: 2 }), up.fetch)).then((r) => (records = r));
    for (let i = 0; i < 100 && vi.getTimerCount() === 0; i++) await settle(1);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(TIMEOUT - 1);
    await settle();
    expect(records).toBeUndefined();
    expect(warnings).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await reading;
    expect(records).toEqual(pages.flat());
    expect(up.state.calls).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^shared cache at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable or slow \(no answer within 2000 ms\); carrying on with the local cache$/);

    // the tier is off for the rest of the process: no more waits, no more warnings
    const more = await redisEvents(async () => {
      expect(await collect(engine.stream(op({ n: 3 }), upstream(pages).fetch))).toEqual(pages.flat());
      expect(await collect(engine.stream(op({ n: 2 }), upstream<{ InstanceId: string }>([]).fetch))).toEqual(pages.flat());
    });
    expect(more).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(warnings).toHaveLength(1);

    vi.useRealTimers();
    server.resume();
    // as documented, this process keeps the tier off even now Redis answers again
    expect(await redisEvents(() => collect(engine.stream(op({ n: 4 }), upstream(pages).fetch)))).toEqual([]);
    await engine.close();
    // a new process (empty local tiers) uses Redis again: a hit on what was shared before the pause
    const next = make(tempDir());
    const none = upstream<{ InstanceId: string }>([]);
    expect(await redisEvents(async () => expect(await collect(next.stream(op({ n: 1 }), none.fetch))).toEqual(pages.flat()))).toEqual(['hit']);
    expect(none.state.calls).toBe(0);
    await next.close();
    expect(warnings).toHaveLength(1);
  });
});
