// Scheduler lanes per account and endpoint: the lane is also the key of a rate cap shared through
// Redis, so two profiles or two endpoints on one Redis must not share a cap, and an endpoint
// (which may carry user:password) never reaches Redis in clear. Real redis-server and s3rver.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@keyv/redis';
import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import { RATE_KEY_PREFIX } from '../../src/scheduler/shared-rate.js';
import { laneOf } from '../../src/aws/runtime.js';
import { send } from '../../src/aws/send.js';
import { closeClients } from '../../src/aws/clients.js';
import { startRedis, type RedisProcess } from '../helpers/redis-server.js';
import { testRuntime } from './helpers.js';
import { startS3, type S3Fixture } from './s3server.js';

let redis: RedisProcess;
let s3: S3Fixture;
const schedulers: ManagedScheduler[] = [];

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3(['b'])]);
});
afterAll(async () => {
  await Promise.all(schedulers.map((s) => s.close()));
  closeClients();
  await Promise.all([redis.stop(), s3.close()]);
});

/**
 * One strata process's scheduler: 1 start per 10 s per lane, shared through Redis. The long Redis
 * timeout keeps a slow first connection from handing the starts to the per-process fallback.
 */
function scheduler(): ManagedScheduler {
  const s = createScheduler({ concurrency: 4, rate: 0.1, retries: 0, redisUrl: redis.url, redisTimeoutMs: 5_000 });
  schedulers.push(s);
  return s;
}

async function rateKeys(): Promise<string[]> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    return (await client.keys(`${RATE_KEY_PREFIX}*`)).sort();
  } finally {
    client.destroy();
  }
}

describe('lanes per account and endpoint', () => {
  it('names the profile and hashes the endpoint', () => {
    expect(laneOf('s3', 'us-east-1', { profile: 'default' })).toBe('s3:us-east-1');
    expect(laneOf('s3', 'us-east-1', { profile: 'prod' })).toBe('s3:us-east-1:prod');
    const minio = laneOf('s3', 'us-east-1', { profile: 'default', endpoint: 'http://user:secret@minio.lan:9000' });
    expect(minio).toMatch(/^s3:us-east-1:default:[0-9a-f]+$/);
    expect(laneOf('s3', 'us-east-1', { profile: 'default', endpoint: 'http://other.lan:9000' })).not.toBe(minio);
  });

  it('gives each profile and endpoint its own shared cap in Redis', async () => {
    const [a, b] = [scheduler(), scheduler()];
    const lane = (profile: string) => laneOf('s3', 'us-east-1', { profile });
    // With one cap for all, the second and third start would wait 10 s each for the next window.
    await Promise.all([
      a.schedule(lane('default'), async () => undefined),
      b.schedule(lane('prod'), async () => undefined),
      send(testRuntime({ scheduler: a, endpoint: s3.endpoint, region: 'us-east-1' }), 's3', 'us-east-1', 'ListBuckets', {}),
    ]);
    const onEndpoint = laneOf('s3', 'us-east-1', { profile: 'default', endpoint: s3.endpoint });
    expect(await rateKeys()).toEqual([lane('default'), onEndpoint, lane('prod')].map((l) => `${RATE_KEY_PREFIX}:${l}`).sort());
    expect((await rateKeys()).join(' ')).not.toContain('127.0.0.1');
  }, 15_000);
});
