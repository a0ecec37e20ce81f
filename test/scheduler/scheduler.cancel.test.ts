import { afterEach, describe, expect, it, vi } from 'vitest';
import { StrataError } from '../../src/errors.js';
import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import { awsError, heldJob, settle } from './helpers.js';

let scheduler: ManagedScheduler | undefined;
afterEach(async () => {
  await scheduler?.close();
  scheduler = undefined;
  vi.useRealTimers();
});

/** A job that runs until its signal aborts, then fails the way the AWS SDK does. */
function untilAborted(seen: AbortSignal[]) {
  return (signal: AbortSignal) =>
    new Promise<never>((_, reject) => {
      seen.push(signal);
      signal.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })), { once: true });
    });
}

describe('cancellation', () => {
  it('a job cancelled while queued never starts and rejects with the signal reason', async () => {
    scheduler = createScheduler({ concurrency: 1, rate: 0, retries: 0 });
    const blocker = heldJob();
    const first = scheduler.schedule('ec2:us-east-1', blocker.job);
    const ctl = new AbortController();
    const queued = vi.fn(async () => 'ran');
    const second = scheduler.schedule('ec2:us-east-1', queued, { signal: ctl.signal });
    await settle();
    expect(scheduler.stats()[0].queued).toBe(1);
    ctl.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(scheduler.stats()[0].queued).toBe(0);
    blocker.held.release();
    await first;
    await settle();
    expect(queued).not.toHaveBeenCalled();
  });

  it('a job given an already aborted signal never starts', async () => {
    scheduler = createScheduler({ concurrency: 1, rate: 0, retries: 0 });
    const job = vi.fn(async () => 'ran');
    await expect(scheduler.schedule('ec2:us-east-1', job, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(job).not.toHaveBeenCalled();
  });

  it('a running job sees its signal aborted, rejects, and frees its slot', async () => {
    scheduler = createScheduler({ concurrency: 1, rate: 0, retries: 3 });
    const ctl = new AbortController();
    const seen: AbortSignal[] = [];
    const running = scheduler.schedule('s3:us-east-1', untilAborted(seen), { signal: ctl.signal });
    const next = scheduler.schedule('s3:us-east-1', async () => 'next');
    await settle();
    expect(seen).toHaveLength(1);
    ctl.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen[0].aborted).toBe(true);
    await expect(next).resolves.toBe('next');
    expect(scheduler.stats()[0]).toMatchObject({ retries: 0, completed: 1 });
  });

  it('a job waiting to retry stops waiting when cancelled', async () => {
    vi.useFakeTimers();
    scheduler = createScheduler({ concurrency: 1, rate: 0, retries: 5, random: () => 0.99 });
    const ctl = new AbortController();
    const job = vi.fn(async () => Promise.reject(awsError('ThrottlingException', 400)));
    const result = scheduler.schedule('ec2:us-east-1', job, { signal: ctl.signal });
    const settled = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(job).toHaveBeenCalledTimes(1);
    expect(scheduler.stats()[0].queued).toBe(1);
    ctl.abort();
    expect(await settled).toMatchObject({ name: 'AbortError' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(job).toHaveBeenCalledTimes(1);
    expect(scheduler.stats()[0].queued).toBe(0);
  });

  it('close() rejects queued work as interrupted, aborts running work, refuses new work, and waits for the running to end', async () => {
    const s = createScheduler({ concurrency: 1, rate: 0, retries: 0 });
    const seen: AbortSignal[] = [];
    const running = s.schedule('ec2:us-east-1', untilAborted(seen)).catch((e: unknown) => e);
    const queuedJob = vi.fn(async () => 'ran');
    const queued = s.schedule('ec2:us-east-1', queuedJob).catch((e: unknown) => e);
    await settle();
    await s.close();
    expect(seen[0].aborted).toBe(true);
    const interrupted = (await queued) as StrataError;
    expect(interrupted).toBeInstanceOf(StrataError);
    expect(interrupted.code).toBe('INTERRUPTED');
    expect(interrupted.exitCode).toBe(130);
    expect(await running).toBe(interrupted);
    expect(queuedJob).not.toHaveBeenCalled();
    await expect(s.schedule('ec2:us-east-1', async () => 'late')).rejects.toBe(interrupted);
    expect(s.stats()[0]).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('close() also aborts running jobs that brought their own signal', async () => {
    const s = createScheduler({ concurrency: 2, rate: 0, retries: 0 });
    const seen: AbortSignal[] = [];
    const own = new AbortController();
    const running = s.schedule('ec2:us-east-1', untilAborted(seen), { signal: own.signal }).catch((e: unknown) => e);
    await settle();
    await s.close();
    expect(seen[0].aborted).toBe(true);
    expect(own.signal.aborted).toBe(false);
    expect(await running).toMatchObject({ code: 'INTERRUPTED' });
  });
});
