import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StrataError } from '../../src/errors.js';
import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import { fullJitterDelay } from '../../src/scheduler/backoff.js';
import type { Clock } from '../../src/util/clock.js';
import { awsError } from './helpers.js';

const fakeClock: Clock = { now: () => Date.now(), monotonic: () => Date.now() };
let scheduler: ManagedScheduler | undefined;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await scheduler?.close();
  scheduler = undefined;
  vi.useRealTimers();
});

/** A job failing with the given errors in turn, then answering 'done'; records when each attempt began. */
function flaky(errors: unknown[]) {
  const t0 = Date.now();
  const attempts: number[] = [];
  const job = async () => {
    attempts.push(Date.now() - t0);
    const err = errors[attempts.length - 1];
    if (err) throw err;
    return 'done';
  };
  return { attempts, job };
}

function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('retries', () => {
  it('retries throttling after full-jitter backoff from a 500 ms base, doubling per attempt', async () => {
    scheduler = createScheduler({ concurrency: 4, rate: 0, retries: 3, clock: fakeClock, random: sequence([0.5, 0.25]) });
    const { attempts, job } = flaky([awsError('ThrottlingException', 400), awsError('SlowDown', 503)]);
    const result = scheduler.schedule('ec2:us-east-1', job);
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toBe('done');
    // 0.5 × 500 = 250 ms, then 0.25 × 1000 = 250 ms more.
    expect(attempts).toEqual([0, 250, 500]);
    expect(scheduler.stats()[0]).toMatchObject({ retries: 2, throttled: 2, completed: 1 });
  });

  it('retries transient network faults from a 100 ms base', async () => {
    scheduler = createScheduler({ concurrency: 4, rate: 0, retries: 3, clock: fakeClock, random: () => 0.5 });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const hangUp = new Error('socket hang up');
    const { attempts, job } = flaky([reset, hangUp, awsError('InternalError', 500)]);
    const result = scheduler.schedule('s3:us-east-1', job);
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toBe('done');
    expect(attempts).toEqual([0, 50, 150, 350]);
    expect(scheduler.stats()[0]).toMatchObject({ retries: 3, throttled: 0 });
  });

  it('gives up after the configured number of retries with an error that says what to change', async () => {
    scheduler = createScheduler({ concurrency: 4, rate: 0, retries: 2, clock: fakeClock, random: () => 0 });
    const throttled = awsError('ThrottlingException', 400);
    const { attempts, job } = flaky([throttled, throttled, throttled, throttled]);
    const result = scheduler.schedule('ec2:us-east-1', job);
    const settled = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const err = (await settled) as StrataError;
    expect(attempts).toHaveLength(3);
    expect(err).toBeInstanceOf(StrataError);
    expect(err.code).toBe('THROTTLED');
    expect(err.message).toBe('ec2:us-east-1: still throttled after 3 attempts');
    expect(err.hint).toMatch(/--concurrency/);
    expect(err.cause).toBe(throttled);
  });

  it('does not retry errors that another attempt cannot fix, nor jobs that opt out', async () => {
    scheduler = createScheduler({ concurrency: 4, rate: 0, retries: 5, clock: fakeClock });
    const denied = flaky([awsError('AccessDenied', 403)]);
    await expect(scheduler.schedule('s3:us-east-1', denied.job)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(denied.attempts).toHaveLength(1);
    const optOut = flaky([awsError('ThrottlingException', 400)]);
    await expect(scheduler.schedule('s3:us-east-1', optOut.job, { retry: false })).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(optOut.attempts).toHaveLength(1);
  });

  it('caps the jittered delay at the maximum', () => {
    const policy = { baseMs: 500, maxMs: 20_000, random: () => 0.999 };
    expect(fullJitterDelay(0, policy)).toBe(499);
    expect(fullJitterDelay(3, policy)).toBe(3996);
    expect(fullJitterDelay(10, policy)).toBe(19_980);
  });
});
