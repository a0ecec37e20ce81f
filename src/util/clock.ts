// Time is injected: anything with a TTL, a rate or a timeout takes a Clock, so tests drive it.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** High-resolution monotonic milliseconds, for measuring durations. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => Number(process.hrtime.bigint()) / 1e6,
};

/** A clock that moves only when told: for tests. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start = 1_700_000_000_000) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  monotonic(): number {
    return this.#t;
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}
