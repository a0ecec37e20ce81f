import { describe, expect, it } from 'vitest';
import { StrataError } from '../../src/errors.js';
import { createScheduler, type SchedulerOptions } from '../../src/scheduler/index.js';

const base: SchedulerOptions = { concurrency: 16, rate: 0, retries: 4 };

function rejection(opts: Partial<SchedulerOptions>): StrataError {
  try {
    createScheduler({ ...base, ...opts } as SchedulerOptions);
  } catch (e) {
    return e as StrataError;
  }
  throw new Error('expected createScheduler to throw');
}

describe('options', () => {
  it.each([
    [{ concurrency: 0 }, 'Expected `concurrency` to be an integer >= 1, got `0`'],
    [{ concurrency: 2.5 }, 'Expected `concurrency` to be an integer >= 1, got `2.5`'],
    [{ concurrency: '8' as unknown as number }, 'Expected `concurrency` to be an integer >= 1, got `8`'],
    [{ rate: -1 }, 'Expected `rate` to be a finite number >= 0, got `-1`'],
    [{ rate: Number.POSITIVE_INFINITY }, 'Expected `rate` to be a finite number >= 0, got `Infinity`'],
    [{ retries: -1 }, 'Expected `retries` to be an integer >= 0, got `-1`'],
    [{ redisUrl: 'localhost:6379' }, 'Expected `redisUrl` to be a redis:// or rediss:// URL, e.g. redis://localhost:6379, got `localhost:6379`'],
    [{ redisUrl: 'redis://' }, 'Expected `redisUrl` to be a redis:// or rediss:// URL, e.g. redis://localhost:6379, got `redis://`'],
    [{ redisUrl: 'redis//:s3cret@cache:6379' }, 'Expected `redisUrl` to be a redis:// or rediss:// URL, e.g. redis://localhost:6379, got `redis//:***@cache:6379`'],
    [{ agingMs: 0 }, 'Expected `agingMs` to be a finite number >= 1, got `0`'],
  ])('rejects %o as a usage error: %s', (opts, message) => {
    const err = rejection(opts);
    expect(err).toBeInstanceOf(StrataError);
    expect(err.message).toBe(message);
    expect(err.exitCode).toBe(2);
    expect(err.hint).toBeTruthy();
  });

  it('names the flag in the hint for a bad concurrency', () => {
    expect(rejection({ concurrency: 0 }).hint).toMatch(/--concurrency/);
  });
});

describe('schedule options', () => {
  it('rejects an unknown priority instead of queueing the job', async () => {
    const scheduler = createScheduler(base);
    const job = async () => 'ran';
    await expect(scheduler.schedule('ec2:us-east-1', job, { priority: 'urgent' as never })).rejects.toThrow(
      'Expected `priority` to be one of interactive, enrichment, readahead, warming, got `urgent`',
    );
    expect(scheduler.stats()[0]).toMatchObject({ queued: 0, inFlight: 0, completed: 0 });
    await scheduler.close();
  });
});
