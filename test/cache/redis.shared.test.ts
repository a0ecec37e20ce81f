import { describe, expect, it } from 'vitest';
import { cacheChannel, type CacheEvent } from '../../src/metrics/channels.js';
import { createEngine } from '../../src/engine/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { collect, op, tempDir, testConfig, upstream } from '../engine/fixtures/config.js';
import { freePort, redisPerTest } from '../helpers/redis-server.js';

/** A real redis-server for one test, stopped after it. */
const redis = redisPerTest();

function engineOn(url: string, warnings: string[] = []) {
  return createEngine({ config: testConfig(tempDir(), { redisUrl: url, redisTimeout: 500 }), clock: new ManualClock(), warn: (m) => warnings.push(m) });
}

const pages = [[{ InstanceId: 'i-1' }], [{ InstanceId: 'i-2' }]];

describe('shared Redis tier', () => {
  it('a result read on one machine is a Redis hit on another (separate cache dirs)', async () => {
    const { url } = await redis();
    const up = upstream(pages);
    const a = engineOn(url);
    await collect(a.stream(op(), up.fetch));
    await a.close();
    const events: CacheEvent[] = [];
    const listen = (e: unknown) => events.push(e as CacheEvent);
    cacheChannel.subscribe(listen);
    const b = engineOn(url);
    try {
      expect(await collect(b.stream(op(), up.fetch))).toEqual(pages.flat());
    } finally {
      cacheChannel.unsubscribe(listen);
    }
    expect(up.state.calls).toBe(1);
    expect(events.filter((e) => e.outcome === 'hit').map((e) => e.tier)).toEqual(['redis']);
    // Promoted to the local tiers: the next read never asks Redis.
    expect(await collect(b.stream(op(), up.fetch))).toEqual(pages.flat());
    const list = await collect(b.entries());
    expect(list.map((e) => e.tier).sort()).toEqual(['disk', 'memory', 'redis']);
    await b.close();
  });

  it('invalidation by glob reaches Redis (SCAN) as well as the local tiers', async () => {
    const { url } = await redis();
    const a = engineOn(url);
    await collect(a.stream(op({ n: 1 }), upstream(pages).fetch));
    await collect(a.stream(op({ n: 2 }, 'DescribeVolumes'), upstream(pages).fetch));
    expect(await a.invalidate('aws:*:*:ec2:DescribeInstances:*')).toBe(3);
    const b = engineOn(url);
    const up = upstream(pages);
    await collect(b.stream(op({ n: 1 }), up.fetch));
    await collect(b.stream(op({ n: 2 }, 'DescribeVolumes'), up.fetch));
    expect(up.state.calls).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('when Redis is killed mid-run, commands carry on from local tiers and upstream, warning once', async () => {
    const server = await redis();
    const { url } = server;
    const warnings: string[] = [];
    const engine = engineOn(url, warnings);
    await collect(engine.stream(op({ n: 1 }), upstream(pages).fetch));
    await server.stop();
    for (let n = 2; n < 5; n++) {
      expect(await collect(engine.stream(op({ n }), upstream(pages).fetch))).toEqual(pages.flat());
    }
    expect(await collect(engine.stream(op({ n: 1 }), upstream<{ InstanceId: string }>([]).fetch))).toEqual(pages.flat());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/shared cache at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable/);
    await engine.close();
  });

  it('with Redis unreachable from the start, warns once and leaves no socket open after close', async () => {
    const port = await freePort();
    const before = process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
    const warnings: string[] = [];
    const engine = engineOn(`redis://user:secret@127.0.0.1:${port}`, warnings);
    expect(await collect(engine.stream(op(), upstream(pages).fetch))).toEqual(pages.flat());
    expect(await collect(engine.stream(op({ other: 1 }), upstream(pages).fetch))).toEqual(pages.flat());
    await engine.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(/secret/);
    expect(process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length).toBeLessThanOrEqual(before);
  });
});
