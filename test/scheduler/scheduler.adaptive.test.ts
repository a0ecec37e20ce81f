import { afterEach, describe, expect, it } from 'vitest';
import { AimdLimit } from '../../src/scheduler/aimd.js';
import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { awsError, heldJob, settle, type Held } from './helpers.js';

let scheduler: ManagedScheduler | undefined;
afterEach(async () => {
  await scheduler?.close();
  scheduler = undefined;
});

const limitOf = (s: ManagedScheduler) => s.stats()[0].limit;

describe('adaptive concurrency through the scheduler', () => {
  it('halves the lane limit on each throttling answer, down to 1 and never below', async () => {
    const clock = new ManualClock();
    scheduler = createScheduler({ concurrency: 8, rate: 0, retries: 0, clock });
    const limits: number[] = [];
    for (const error of ['ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'SlowDown', 'ServiceUnavailable']) {
      clock.advance(10);
      await scheduler.schedule('ec2:us-east-1', async () => Promise.reject(awsError(error, error === 'ServiceUnavailable' ? 503 : 400))).catch(() => undefined);
      limits.push(limitOf(scheduler));
    }
    expect(limits).toEqual([4, 2, 1, 1, 1]);
    expect(scheduler.stats()[0].throttled).toBe(5);
  });

  it('halves once when many requests in flight are refused together', async () => {
    const clock = new ManualClock();
    scheduler = createScheduler({ concurrency: 8, rate: 0, retries: 0, clock });
    const held: Held[] = [];
    const jobs = Array.from({ length: 8 }, () => {
      const h = heldJob();
      held.push(h.held);
      return scheduler!
        .schedule('ec2:us-east-1', async () => {
          await h.job();
          throw awsError('ThrottlingException', 400);
        })
        .catch(() => undefined);
    });
    await settle();
    clock.advance(20);
    held.forEach((h) => h.release());
    await Promise.all(jobs);
    expect(limitOf(scheduler)).toBe(4);
  });

  it('grows back by one slot per window of successes while latency holds, up to the cap', async () => {
    const clock = new ManualClock();
    scheduler = createScheduler({ concurrency: 4, rate: 0, retries: 0, clock });
    const ok = () => scheduler!.schedule('s3:us-east-1', async () => clock.advance(10));
    for (let i = 0; i < 3; i++) {
      clock.advance(1);
      await scheduler.schedule('s3:us-east-1', async () => Promise.reject(awsError('SlowDown', 503))).catch(() => undefined);
    }
    expect(limitOf(scheduler)).toBe(1);
    await ok(); // window 1 → 2
    expect(limitOf(scheduler)).toBe(2);
    await ok();
    await ok(); // 2 → 2.5 → 2.9
    expect(limitOf(scheduler)).toBe(2);
    await ok(); // → 3.24
    expect(limitOf(scheduler)).toBe(3);
    for (let i = 0; i < 20; i++) await ok();
    expect(limitOf(scheduler)).toBe(4);
  });

  it('keeps the configured cap when adaptive concurrency is off', async () => {
    scheduler = createScheduler({ concurrency: 8, rate: 0, retries: 0, adaptive: false });
    await scheduler.schedule('ec2:us-east-1', async () => Promise.reject(awsError('ThrottlingException', 400))).catch(() => undefined);
    expect(limitOf(scheduler)).toBe(8);
  });
});

describe('AimdLimit', () => {
  it('does not grow while answers are much slower than the running average', () => {
    const aimd = new AimdLimit(10);
    aimd.onThrottle(0, 1);
    expect(aimd.limit).toBe(5);
    for (let i = 0; i < 10; i++) aimd.onSuccess(10);
    const grown = aimd.limit;
    expect(grown).toBeGreaterThan(5);
    aimd.onSuccess(100); // ten times the average: latency does not hold
    aimd.onSuccess(60);
    expect(aimd.limit).toBe(grown);
  });

  it('ignores a throttle from a request that started before the last cut', () => {
    const aimd = new AimdLimit(16);
    aimd.onThrottle(100, 200);
    aimd.onThrottle(150, 210);
    expect(aimd.limit).toBe(8);
    aimd.onThrottle(205, 260);
    expect(aimd.limit).toBe(4);
  });
});
