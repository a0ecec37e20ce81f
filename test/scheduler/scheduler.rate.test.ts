import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import { rateWindow } from '../../src/scheduler/options.js';
import type { Clock } from '../../src/util/clock.js';

// p-queue's window reads Date.now and sets timers, so the test moves both with fake timers.
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

function startTimes(s: ManagedScheduler, count: number): { starts: number[]; done: Promise<unknown> } {
  const t0 = Date.now();
  const starts: number[] = [];
  const done = Promise.all(Array.from({ length: count }, () => s.schedule('ec2:us-east-1', async () => void starts.push(Date.now() - t0))));
  return { starts, done };
}

describe('rate cap', () => {
  it('starts the full cap at once, then waits for the window to slide before the next', async () => {
    scheduler = createScheduler({ concurrency: 100, rate: 10, retries: 0, clock: fakeClock });
    const { starts, done } = startTimes(scheduler, 25);
    await vi.advanceTimersByTimeAsync(0);
    expect(starts).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(999);
    expect(starts).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(1);
    expect(starts).toHaveLength(20);
    await vi.advanceTimersByTimeAsync(1000);
    await done;
    expect(starts.filter((t) => t === 0)).toHaveLength(10);
    expect(starts.filter((t) => t === 1000)).toHaveLength(10);
    expect(starts.filter((t) => t === 2000)).toHaveLength(5);
  });

  it('never starts more than the cap within any one window', async () => {
    scheduler = createScheduler({ concurrency: 100, rate: 4, retries: 0, clock: fakeClock });
    const { starts, done } = startTimes(scheduler, 13);
    await vi.advanceTimersByTimeAsync(5000);
    await done;
    for (const t of starts) expect(starts.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(4);
  });

  it('spreads a rate under one per second over a longer window', async () => {
    scheduler = createScheduler({ concurrency: 10, rate: 0.5, retries: 0, clock: fakeClock });
    const { starts, done } = startTimes(scheduler, 3);
    await vi.advanceTimersByTimeAsync(4000);
    await done;
    expect(starts).toEqual([0, 2000, 4000]);
  });

  it('expresses fractional rates as whole starts per whole-second window', () => {
    expect(rateWindow(10)).toEqual({ points: 10, seconds: 1 });
    expect(rateWindow(2.5)).toEqual({ points: 5, seconds: 2 });
    expect(rateWindow(0.25)).toEqual({ points: 1, seconds: 4 });
    expect(rateWindow(0.3)).toEqual({ points: 3, seconds: 10 });
  });
});
