import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import { heldJob, settle, type Held } from './helpers.js';

let scheduler: ManagedScheduler | undefined;
afterEach(async () => {
  await scheduler?.close();
  scheduler = undefined;
});

describe('concurrency cap', () => {
  it('runs exactly `concurrency` jobs at once while more are queued, and never more', async () => {
    scheduler = createScheduler({ concurrency: 4, rate: 0, retries: 0 });
    let running = 0;
    let maxRunning = 0;
    const held: Held[] = [];
    const results = Array.from({ length: 20 }, (_, i) => {
      const h = heldJob();
      held.push(h.held);
      return scheduler!.schedule('ec2:us-east-1', async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await h.job();
        running--;
        return i;
      });
    });
    await settle();
    expect(running).toBe(4);
    expect(scheduler.stats()).toEqual([
      { lane: 'ec2:us-east-1', inFlight: 4, queued: 16, limit: 4, completed: 0, throttled: 0, retries: 0 },
    ]);
    for (const h of held) {
      h.release();
      await settle();
      expect(running).toBeLessThanOrEqual(4);
    }
    expect(await Promise.all(results)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxRunning).toBe(4);
    expect(scheduler.stats()[0]).toMatchObject({ inFlight: 0, queued: 0, completed: 20 });
  });

  it('gives each service+region lane its own cap, created on first use', async () => {
    scheduler = createScheduler({ concurrency: 2, rate: 0, retries: 0 });
    expect(scheduler.stats()).toEqual([]);
    const held: Held[] = [];
    const all: Promise<void>[] = [];
    for (const lane of ['ec2:us-east-1', 's3:eu-west-1']) {
      for (let i = 0; i < 3; i++) {
        const h = heldJob();
        held.push(h.held);
        all.push(scheduler.schedule(lane, h.job));
      }
    }
    await settle();
    expect(scheduler.stats().map((s) => [s.lane, s.inFlight, s.queued])).toEqual([
      ['ec2:us-east-1', 2, 1],
      ['s3:eu-west-1', 2, 1],
    ]);
    held.forEach((h) => h.release());
    await Promise.all(all);
  });

  it('passes a job its result and its error unchanged', async () => {
    scheduler = createScheduler({ concurrency: 1, rate: 0, retries: 3 });
    await expect(scheduler.schedule('s3:us-east-1', async () => 'ok')).resolves.toBe('ok');
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(scheduler.schedule('s3:us-east-1', async () => Promise.reject(denied))).rejects.toBe(denied);
  });
});
