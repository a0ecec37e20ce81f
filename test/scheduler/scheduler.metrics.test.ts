import diagnostics_channel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestEvent } from '../../src/metrics/channels.js';
import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { awsError } from './helpers.js';

let scheduler: ManagedScheduler | undefined;
const events: RequestEvent[] = [];
const listen = (e: unknown) => void events.push(e as RequestEvent);
afterEach(async () => {
  diagnostics_channel.unsubscribe('strata:request', listen);
  events.length = 0;
  await scheduler?.close();
  scheduler = undefined;
  vi.useRealTimers();
});

describe('request events', () => {
  it('publishes every attempt with its lane, operation, outcome and duration', async () => {
    vi.useFakeTimers();
    diagnostics_channel.subscribe('strata:request', listen);
    const clock = new ManualClock();
    scheduler = createScheduler({ concurrency: 2, rate: 0, retries: 2, clock, random: () => 0 });
    const lane = 'ec2:us-east-1';
    await scheduler.schedule(lane, async () => clock.advance(12), { operation: 'DescribeInstances' });
    let calls = 0;
    const retried = scheduler.schedule(
      lane,
      async () => {
        calls++;
        clock.advance(5);
        if (calls === 1) throw awsError('ThrottlingException', 400);
        if (calls === 2) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
        return 'ok';
      },
      { operation: 'DescribeVolumes' },
    );
    await vi.advanceTimersByTimeAsync(100);
    await retried;
    await scheduler.schedule(lane, async () => Promise.reject(awsError('AccessDenied', 403))).catch(() => undefined);
    const ctl = new AbortController();
    const cancelled = scheduler.schedule(lane, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))), { signal: ctl.signal, operation: 'GetObject' });
    await vi.advanceTimersByTimeAsync(0);
    clock.advance(3);
    ctl.abort();
    await cancelled.catch(() => undefined);
    expect(events).toEqual([
      { lane, operation: 'DescribeInstances', outcome: 'ok', ms: 12 },
      { lane, operation: 'DescribeVolumes', outcome: 'throttled', ms: 5 },
      { lane, operation: 'DescribeVolumes', outcome: 'retry', ms: 5 },
      { lane, operation: 'DescribeVolumes', outcome: 'ok', ms: 5 },
      { lane, operation: 'request', outcome: 'error', ms: 0 },
      { lane, operation: 'GetObject', outcome: 'cancelled', ms: 3 },
    ]);
  });
});
