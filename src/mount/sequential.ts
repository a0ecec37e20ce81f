// Sequential detection and the read-ahead window of one open file (mountpoint-s3's prefetch.rs
// is the model). Each read reports its offset; a read that starts where the previous one ended
// (within SEQUENTIAL_SLACK, because the kernel's multithreaded FUSE requests arrive slightly out
// of order) extends the run. Once MIN_RUN bytes were read in the run, read-ahead is on and the window
// doubles per sequential read up to `maxWindow`; any jump, or a pause longer than `idleResetMs`,
// switches read-ahead off and the window starts again from `initialWindow`.
//
// States: off (window 0) → on (initialWindow … maxWindow). Invariant: window is 0 or within
// [initialWindow, maxWindow].

import type { Clock } from '../util/clock.js';

/** Reorder tolerance between FUSE read requests: 512 KiB covers 4 concurrent 128 KiB requests. */
export const SEQUENTIAL_SLACK = 512 * 1024;

/**
 * Bytes read in one contiguous run before read-ahead starts: well above what the kernel's own
 * read-ahead adds to a small random read (128–256 KiB), even when two random reads land close
 * together; a sequential reader gets there after eight 128 KiB requests.
 */
export const MIN_RUN = 1024 * 1024;

export interface ReadAheadOptions {
  /** Window when read-ahead switches on, bytes. */
  initialWindow: number;
  /** Largest window, bytes. */
  maxWindow: number;
  /** A pause this long (ms) forgets the streak. */
  idleResetMs: number;
  clock: Clock;
}

export class ReadAheadWindow {
  readonly #opts: ReadAheadOptions;
  #lastEnd = -1;
  #lastAt = 0;
  #runBytes = 0;
  #window = 0;
  /** Reads seen that broke a streak (read-ahead switched off), for stats. */
  resets = 0;

  constructor(opts: ReadAheadOptions) {
    if (opts.initialWindow <= 0 || opts.maxWindow < opts.initialWindow) {
      throw new RangeError(`Expected 0 < initialWindow <= maxWindow, got ${opts.initialWindow} and ${opts.maxWindow}`);
    }
    this.#opts = opts;
  }

  /** Current window in bytes (0: read-ahead off). */
  get window(): number {
    return this.#window;
  }

  get sequential(): boolean {
    return this.#window > 0;
  }

  /** Records a read of `length` bytes at `offset`; returns the window to prefetch past its end. */
  observe(offset: number, length: number): number {
    const now = this.#opts.clock.monotonic();
    const idle = this.#lastEnd >= 0 && now - this.#lastAt > this.#opts.idleResetMs;
    const contiguous = this.#lastEnd < 0 ? offset === 0 : Math.abs(offset - this.#lastEnd) <= SEQUENTIAL_SLACK;
    if (this.#lastEnd < 0 && contiguous) this.#lastEnd = 0;
    if (contiguous && !idle) {
      this.#lastEnd = Math.max(this.#lastEnd, offset + length);
      this.#runBytes += length;
      if (this.#runBytes >= MIN_RUN) {
        this.#window = this.#window === 0 ? this.#opts.initialWindow : Math.min(this.#opts.maxWindow, this.#window * 2);
      }
    } else {
      if (this.#window > 0) this.resets++;
      this.#runBytes = length;
      this.#lastEnd = offset + length;
      this.#window = 0;
    }
    this.#lastAt = now;
    return this.#window;
  }
}
