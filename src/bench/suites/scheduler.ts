// Scheduler suite: what a lane costs and whether it holds its caps, next to the libraries it was
// chosen against (MEASURED.md's limiter table, reproduced).
//  - overhead per trivial job (µs): batches of 1,000 `async () => i` through our lane, p-limit,
//    p-queue and a bare call, alternated per round so machine drift hits all alike;
//  - 1,000 × 5 ms jobs on 16 slots: total time (ideal 1000 / 16 × 5 ms = 312.5 ms) and the most
//    jobs seen in flight (must be exactly 16);
//  - rate cap: the most starts seen in any one-second window over the cap (must not exceed 1),
//    and the rate reached after the first window over the cap (should be close to 1).

import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { createScheduler } from '../../scheduler/index.js';
import type { Figure, Suite, SuiteContext } from '../types.js';

const BATCH = 1_000;
const SLOTS = 16;
const SLOW_JOBS = 1_000;
const SLOW_JOB_MS = 5;
const IDEAL_SLOW_MS = (SLOW_JOBS / SLOTS) * SLOW_JOB_MS;

type Runner = (job: () => Promise<number>) => Promise<number>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** µs per job over `batches` batches of BATCH trivial jobs. */
async function overhead(run: Runner, batches: number): Promise<number> {
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) {
    const pending = new Array<Promise<number>>(BATCH);
    for (let i = 0; i < BATCH; i++) pending[i] = run(async () => i);
    await Promise.all(pending);
  }
  return ((performance.now() - t0) * 1000) / (batches * BATCH);
}

async function slowJobs(run: (job: () => Promise<void>) => Promise<void>): Promise<{ ms: number; maxInFlight: number }> {
  let inFlight = 0;
  let maxInFlight = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: SLOW_JOBS }, () =>
      run(async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(SLOW_JOB_MS);
        inFlight--;
      }),
    ),
  );
  return { ms: performance.now() - t0, maxInFlight };
}

async function rateCap(rate: number, jobs: number): Promise<{ worstWindow: number; achieved: number }> {
  const scheduler = createScheduler({ concurrency: 1_000, rate, retries: 0 });
  const starts: number[] = [];
  await Promise.all(Array.from({ length: jobs }, () => scheduler.schedule('bench:rate', async () => void starts.push(Date.now()))));
  await scheduler.close();
  // Whole milliseconds and half-open windows (t − 1 s, t]: the limiter's own clock and rule, so a
  // sub-millisecond lag in when a job notes its start is not counted as a second burst.
  let worst = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[j] <= starts[i] - 1000) j++;
    worst = Math.max(worst, i - j + 1);
  }
  // After the first window's burst, starts can only come as fast as the window slides.
  const afterFirst = (jobs - rate) / ((starts[starts.length - 1] - starts[0]) / 1000);
  return { worstWindow: worst / rate, achieved: afterFirst / rate };
}

export const suite: Suite = {
  name: 'scheduler',
  summary: 'lane overhead per job vs p-limit and p-queue, 16-slot saturation, rate-cap accuracy',
  async run(ctx: SuiteContext): Promise<Figure[]> {
    const rounds = ctx.quick ? 5 : 15;
    const batches = ctx.quick ? 10 : 20;
    const runners: Record<string, () => Runner> = {
      strata: () => {
        const s = createScheduler({ concurrency: SLOTS, rate: 0, retries: 2 });
        return (job) => s.schedule('bench:overhead', job);
      },
      'strata-rate-capped': () => {
        const s = createScheduler({ concurrency: SLOTS, rate: 1_000_000, retries: 2 });
        return (job) => s.schedule('bench:overhead', job);
      },
      'p-limit': () => {
        const limit = pLimit(SLOTS);
        return (job) => limit(job);
      },
      'p-queue': () => {
        const q = new PQueue({ concurrency: SLOTS });
        return (job) => q.add(job);
      },
      bare: () => (job) => job(),
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
    for (let r = 0; r < rounds && !ctx.signal.aborted; r++) {
      for (const [name, make] of Object.entries(runners)) samples[name].push(await overhead(make(), batches));
    }
    ctx.log(`scheduler: overhead measured over ${rounds} rounds of ${batches} × ${BATCH} jobs`);

    const totals: number[] = [];
    const inFlight: number[] = [];
    const pqTotals: number[] = [];
    for (let r = 0; r < (ctx.quick ? 1 : 3) && !ctx.signal.aborted; r++) {
      const s = createScheduler({ concurrency: SLOTS, rate: 0, retries: 0 });
      const ours = await slowJobs((job) => s.schedule('bench:slots', job));
      totals.push(ours.ms);
      inFlight.push(ours.maxInFlight);
      const q = new PQueue({ concurrency: SLOTS });
      pqTotals.push((await slowJobs((job) => q.add(job))).ms);
    }

    const rate = ctx.quick ? 50 : 100;
    const cap = await rateCap(rate, rate * 3);

    const us = (name: string, note: string, target?: string): Figure => ({
      name: `scheduler.overhead.${name}`,
      unit: 'µs/job',
      better: 'lower',
      samples: samples[name],
      note,
      target,
    });
    return [
      us('strata', 'one lane, no rate cap: p-queue + aging queue + AIMD + retry bookkeeping', '<= 5'),
      us('strata-rate-capped', 'one lane with a rate cap never reached (p-queue strict window on)', '<= 5'),
      us('p-limit', 'p-limit 7, same batches'),
      us('p-queue', 'p-queue 9, same batches'),
      us('bare', 'calling the job directly: the floor'),
      {
        name: 'scheduler.slots16.total',
        unit: 'ms',
        better: 'lower',
        samples: totals,
        note: `1,000 × 5 ms jobs on 16 slots; ideal ${IDEAL_SLOW_MS} ms (bottleneck 2.19.5: ~2,400 ms)`,
        target: `<= ${Math.round(IDEAL_SLOW_MS * 1.15)}`,
      },
      { name: 'scheduler.slots16.total.p-queue', unit: 'ms', better: 'lower', samples: pqTotals, note: 'the same with p-queue alone' },
      { name: 'scheduler.slots16.maxInFlight', unit: 'jobs', better: 'higher', samples: inFlight, note: 'most jobs running at once', target: '= 16' },
      {
        name: 'scheduler.rate.worstWindow',
        unit: 'ratio',
        better: 'lower',
        samples: [cap.worstWindow],
        note: `most starts in any 1 s window / cap, ${rate * 3} jobs at ${rate}/s`,
        target: '<= 1',
      },
      {
        name: 'scheduler.rate.achieved',
        unit: 'ratio',
        better: 'higher',
        samples: [cap.achieved],
        note: 'starts per second after the first window / cap',
        target: '>= 0.95',
      },
    ];
  },
};
