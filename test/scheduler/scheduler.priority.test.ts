import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler, type ManagedScheduler, type Priority } from '../../src/scheduler/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { heldJob, settle } from './helpers.js';

let scheduler: ManagedScheduler | undefined;
afterEach(async () => {
  await scheduler?.close();
  scheduler = undefined;
});

/** One slot, held by a first job, so everything after it queues. */
async function blocked(clock: ManualClock, agingMs = 2000) {
  scheduler = createScheduler({ concurrency: 1, rate: 0, retries: 0, adaptive: false, clock, agingMs });
  const blocker = heldJob();
  const first = scheduler.schedule('ec2:us-east-1', blocker.job);
  await blocker.held.started;
  const order: string[] = [];
  const queue = (name: string, priority: Priority) => scheduler!.schedule('ec2:us-east-1', async () => void order.push(name), { priority });
  return { order, queue, release: blocker.held.release, first };
}

describe('priorities', () => {
  it('runs interactive, then enrichment, readahead and warming, first come first served within a level', async () => {
    const clock = new ManualClock();
    const { order, queue, release, first } = await blocked(clock);
    const all = [
      queue('warming', 'warming'),
      queue('readahead', 'readahead'),
      queue('enrichment', 'enrichment'),
      queue('interactive-1', 'interactive'),
      queue('interactive-2', 'interactive'),
    ];
    release();
    await Promise.all([first, ...all]);
    expect(order).toEqual(['interactive-1', 'interactive-2', 'enrichment', 'readahead', 'warming']);
  });

  it('treats a job without a priority as interactive', async () => {
    const clock = new ManualClock();
    const { order, queue, release, first } = await blocked(clock);
    const warm = queue('warming', 'warming');
    const plain = scheduler!.schedule('ec2:us-east-1', async () => void order.push('plain'));
    release();
    await Promise.all([first, warm, plain]);
    expect(order).toEqual(['plain', 'warming']);
  });
});

describe('aging', () => {
  it('a warming job that has waited long enough runs before fresh interactive ones', async () => {
    const clock = new ManualClock();
    const { order, queue, release, first } = await blocked(clock, 2000);
    const warm = queue('warming', 'warming');
    clock.advance(6001); // three levels × 2 s, and a little more
    const fresh = [queue('interactive-1', 'interactive'), queue('interactive-2', 'interactive')];
    release();
    await Promise.all([first, warm, ...fresh]);
    expect(order).toEqual(['warming', 'interactive-1', 'interactive-2']);
  });

  it('a warming job that has waited less than that still yields to interactive work', async () => {
    const clock = new ManualClock();
    const { order, queue, release, first } = await blocked(clock, 2000);
    const warm = queue('warming', 'warming');
    clock.advance(5999);
    const fresh = queue('interactive', 'interactive');
    release();
    await Promise.all([first, warm, fresh]);
    expect(order).toEqual(['interactive', 'warming']);
  });

  it('under a steady stream of interactive work, warming work still gets its turn', async () => {
    const clock = new ManualClock();
    scheduler = createScheduler({ concurrency: 1, rate: 0, retries: 0, adaptive: false, clock, agingMs: 100 });
    const order: string[] = [];
    // Each interactive job takes 50 ms and queues another interactive job: a stream that never ends by itself.
    let stop = false;
    const stream: Promise<void>[] = [];
    const interactive = (i: number): Promise<void> =>
      scheduler!.schedule('s3:us-east-1', async () => {
        order.push(`i${i}`);
        clock.advance(50);
        if (!stop) stream.push(interactive(i + 1));
      });
    stream.push(interactive(0));
    const warm = scheduler.schedule('s3:us-east-1', async () => void order.push('warming'), { priority: 'warming' });
    await warm;
    stop = true;
    while (stream.length) await stream.shift();
    const at = order.indexOf('warming');
    expect(at).toBeGreaterThan(0);
    // i0 starts at once and has moved the clock to 50 ms when warming arrives. Three levels of
    // 100 ms aging put warming level with interactive jobs arriving at 350 ms (i7), and the tie
    // goes to the earlier arrival: i1…i6 (arriving 50…300 ms) run first, then warming.
    expect(order.slice(0, at)).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6']);
    await settle();
  });
});
