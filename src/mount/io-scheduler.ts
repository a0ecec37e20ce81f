// The mount's I/O scheduler: decides which block fetch goes next, before the shared scheduler
// (src/scheduler) applies its per-lane concurrency, rate limit and retries.
//
// Classes, highest first: foreground (a process is waiting in read()), readahead, warming.
// A job's effective level is `level + waited / agingMs`, so a warming job overtakes fresh
// foreground work after 2 × agingMs and nothing starves. Each job may carry a deadline: a job
// still queued at its deadline is dropped (a late prefetch is worthless; a late foreground read
// fails instead of hanging). Two caps give backpressure instead of unbounded memory: requests in
// flight, and bytes reserved by running jobs (the block buffers being filled). A job larger than
// the byte cap still runs when nothing else does, so the queue never deadlocks.

import type { Clock } from '../util/clock.js';
import { runtimeError } from '../errors.js';

export type IoClass = 'foreground' | 'readahead' | 'warming';

export const IO_LEVEL: Record<IoClass, number> = { foreground: 2, readahead: 1, warming: 0 };

export interface IoSchedulerOptions {
  /** Jobs running at once. Minimum 1. */
  maxInFlight: number;
  /** Bytes reserved by running jobs at once. Minimum 1. */
  maxBufferedBytes: number;
  /** Waiting this long (ms) lifts a job one class. */
  agingMs: number;
  clock: Clock;
  /** Called when time-based state may change (deadlines); defaults to setTimeout. */
  setTimer?: (fn: () => void, ms: number) => { unref?(): void } | unknown;
}

export interface IoJobOptions {
  cls: IoClass;
  /** Bytes the job will hold while it runs. */
  bytes: number;
  /** Absolute monotonic ms after which a queued job is dropped. */
  deadline?: number;
}

interface Queued {
  cls: IoClass;
  bytes: number;
  deadline?: number;
  enqueuedAt: number;
  seq: number;
  start: () => void;
  fail: (err: unknown) => void;
}

export class IoScheduler {
  readonly #opts: IoSchedulerOptions;
  readonly #queue: Queued[] = [];
  #seq = 0;
  #inFlight = 0;
  #bufferedBytes = 0;
  /** Jobs dropped at their deadline, per class. */
  readonly expired: Record<IoClass, number> = { foreground: 0, readahead: 0, warming: 0 };
  #timer: unknown;

  constructor(opts: IoSchedulerOptions) {
    if (!(opts.maxInFlight >= 1)) throw new RangeError(`Expected \`maxInFlight\` to be >= 1, got \`${opts.maxInFlight}\``);
    if (!(opts.maxBufferedBytes >= 1)) throw new RangeError(`Expected \`maxBufferedBytes\` to be >= 1, got \`${opts.maxBufferedBytes}\``);
    this.#opts = opts;
  }

  get inFlight(): number {
    return this.#inFlight;
  }
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }
  /** Queued jobs per class. */
  depths(): Record<IoClass, number> {
    const d: Record<IoClass, number> = { foreground: 0, readahead: 0, warming: 0 };
    for (const q of this.#queue) d[q.cls]++;
    return d;
  }

  /** Runs `job` when its turn comes; rejects if it is still queued at its deadline. */
  run<T>(job: () => Promise<T>, opts: IoJobOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Queued = {
        cls: opts.cls,
        bytes: opts.bytes,
        deadline: opts.deadline,
        enqueuedAt: this.#opts.clock.monotonic(),
        seq: this.#seq++,
        fail: reject,
        start: () => {
          this.#inFlight++;
          this.#bufferedBytes += entry.bytes;
          job().then(resolve, reject).finally(() => {
            this.#inFlight--;
            this.#bufferedBytes -= entry.bytes;
            this.#pump();
          });
        },
      };
      this.#queue.push(entry);
      this.#pump();
    });
  }

  /** Drops expired jobs and starts as many as the caps allow, best effective level first. */
  #pump(): void {
    const now = this.#opts.clock.monotonic();
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const q = this.#queue[i];
      if (q.deadline !== undefined && now >= q.deadline) {
        this.#queue.splice(i, 1);
        this.expired[q.cls]++;
        q.fail(runtimeError('MOUNT_DEADLINE', `a ${q.cls} block fetch waited past its deadline`, 'the mount is overloaded: lower concurrency of readers or raise --cache-size'));
      }
    }
    while (this.#queue.length > 0 && this.#inFlight < this.#opts.maxInFlight) {
      const i = this.#pick(now);
      const q = this.#queue[i];
      if (this.#inFlight > 0 && this.#bufferedBytes + q.bytes > this.#opts.maxBufferedBytes) break;
      this.#queue.splice(i, 1);
      q.start();
    }
    this.#armDeadlineTimer(now);
  }

  #pick(now: number): number {
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < this.#queue.length; i++) {
      const q = this.#queue[i];
      const score = IO_LEVEL[q.cls] + (now - q.enqueuedAt) / this.#opts.agingMs;
      if (score > bestScore || (score === bestScore && q.seq < this.#queue[best].seq)) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }

  /** Effective level of each queued job now, for tests and the stats file. */
  levels(): Array<{ cls: IoClass; level: number }> {
    const now = this.#opts.clock.monotonic();
    return this.#queue.map((q) => ({ cls: q.cls, level: IO_LEVEL[q.cls] + (now - q.enqueuedAt) / this.#opts.agingMs }));
  }

  /** Re-runs the queue (after the clock moved, in tests; the deadline timer does it live). */
  poke(): void {
    this.#pump();
  }

  #armDeadlineTimer(now: number): void {
    if (this.#timer !== undefined) return;
    let next = Infinity;
    for (const q of this.#queue) if (q.deadline !== undefined && q.deadline < next) next = q.deadline;
    if (next === Infinity) return;
    const set = this.#opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    const t = set(() => {
      this.#timer = undefined;
      this.#pump();
    }, Math.max(1, next - now)) as { unref?(): void } | undefined;
    t?.unref?.();
    this.#timer = t ?? true;
  }
}
