// Rate caps shared through a real redis-server, and what happens when it goes away and comes back.
// Times here are real (Redis expires its window keys on its own clock), so the assertions are
// bounds that hold on any machine: how many requests may start within one window, never how fast.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@keyv/redis';
import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import { RATE_KEY_PREFIX } from '../../src/scheduler/shared-rate.js';
import { settle } from './helpers.js';
import { freePort, startRedis, type RedisProcess } from '../helpers/redis-server.js';

/** Less than the 1 s window, so a count inside it cannot include the next window's starts. */
const INSIDE_WINDOW_MS = 900;

let port: number;
let redis: RedisProcess;
const schedulers: ManagedScheduler[] = [];

beforeAll(async () => {
  port = await freePort();
  redis = await startRedis(port);
});
afterAll(async () => {
  await Promise.all(schedulers.map((s) => s.close()));
  await redis.stop();
});

function scheduler(url: string): ManagedScheduler {
  const s = createScheduler({ concurrency: 16, rate: 5, retries: 0, redisUrl: url, redisTimeoutMs: 100 });
  schedulers.push(s);
  return s;
}

/** Runs `count` instant jobs on a lane and resolves with the wall-clock time each started. */
async function starts(s: ManagedScheduler, lane: string, count: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(Array.from({ length: count }, () => s.schedule(lane, async () => void times.push(Date.now()))));
  return times;
}

function startedInFirstWindow(times: number[]): number {
  const first = Math.min(...times);
  return times.filter((t) => t < first + INSIDE_WINDOW_MS).length;
}

async function rateKeys(url: string): Promise<string[]> {
  const client = createClient({ url });
  await client.connect();
  try {
    return await client.keys(`${RATE_KEY_PREFIX}*`);
  } finally {
    client.destroy();
  }
}

describe('rate caps shared through Redis', () => {
  it('two schedulers together start no more than one cap per window', async () => {
    const a = scheduler(redis.url);
    const b = scheduler(redis.url);
    const [ta, tb] = await Promise.all([starts(a, 'ec2:eu-west-1', 6), starts(b, 'ec2:eu-west-1', 6)]);
    expect(ta).toHaveLength(6);
    expect(tb).toHaveLength(6);
    // Each alone would start 5 at once: 10 together. Shared, the pair starts 5.
    expect(startedInFirstWindow([...ta, ...tb])).toBe(5);
    expect(await rateKeys(redis.url)).toContain(`${RATE_KEY_PREFIX}:ec2:eu-west-1`);
  });

  it('gives a shared token to interactive work that arrived while a warming job waited for it', async () => {
    const s = createScheduler({ concurrency: 1, rate: 1, retries: 0, redisUrl: redis.url });
    schedulers.push(s);
    const lane = 'ec2:sa-east-1';
    const order: string[] = [];
    const job = (name: string) => async () => void order.push(name);
    const first = s.schedule(lane, job('warming-1'), { priority: 'warming' });
    const second = s.schedule(lane, job('warming-2'), { priority: 'warming' });
    await first;
    await settle();
    // warming-2 now holds the only slot, waiting for the next window's token.
    expect(s.stats()[0]).toMatchObject({ inFlight: 1, queued: 0 });
    const interactive = s.schedule(lane, job('interactive'), { priority: 'interactive' });
    await Promise.all([second, interactive]);
    expect(order).toEqual(['warming-1', 'interactive', 'warming-2']);
  });

  it('works from a per-process cap when Redis is not there at all', async () => {
    const nobody = await freePort();
    const s = scheduler(`redis://127.0.0.1:${nobody}`);
    const times = await starts(s, 'ec2:ca-central-1', 7);
    expect(times).toHaveLength(7);
    expect(startedInFirstWindow(times)).toBeLessThanOrEqual(5);
  });

  it('keeps a per-process cap, without hanging, while Redis stops answering', async () => {
    const s = scheduler(redis.url);
    const lane = 's3:us-west-2';
    await starts(s, lane, 1);
    redis.pause();
    try {
      const whilePaused = await starts(s, lane, 7);
      expect(whilePaused).toHaveLength(7);
      expect(startedInFirstWindow(whilePaused)).toBeLessThanOrEqual(5);
    } finally {
      redis.resume();
    }
  });

  it('keeps a per-process cap while Redis is down, and shares again once it is back', async () => {
    const s = scheduler(redis.url);
    const lane = 'ec2:ap-south-1';
    await starts(s, lane, 1);
    expect(await rateKeys(redis.url)).toContain(`${RATE_KEY_PREFIX}:${lane}`);

    await redis.stop();
    const whileDown = await starts(s, lane, 7);
    expect(whileDown).toHaveLength(7);
    expect(startedInFirstWindow(whileDown)).toBeLessThanOrEqual(5);

    redis = await startRedis(port);
    expect(await rateKeys(redis.url)).toEqual([]);
    // The client reconnects in the background; keep working until a start is counted in Redis.
    let shared = false;
    for (let i = 0; i < 50 && !shared; i++) {
      await starts(s, lane, 1);
      shared = (await rateKeys(redis.url)).includes(`${RATE_KEY_PREFIX}:${lane}`);
      if (!shared) await new Promise((r) => setTimeout(r, 100));
    }
    expect(shared).toBe(true);
  });
});
