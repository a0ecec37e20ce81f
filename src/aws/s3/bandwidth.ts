// --max-bandwidth: a token bucket over bytes shared by every transfer of the run. The bucket holds
// at most one second of tokens (a burst never exceeds the cap for longer than that); a take larger
// than what is there drives the balance negative and the next taker waits until it is repaid, so
// the long-run rate is exact whatever the chunk sizes. Time and sleep are injected for tests.

import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../util/clock.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<unknown>;

export interface ByteLimiter {
  take(bytes: number, signal?: AbortSignal): Promise<void>;
}

/** No cap: takes never wait. */
export const unlimited: ByteLimiter = { take: async () => undefined };

export class TokenBucket implements ByteLimiter {
  #tokens: number;
  #last: number;

  constructor(
    readonly bytesPerSecond: number,
    readonly clock: Clock = systemClock,
    readonly wait: Sleep = (ms, signal) => sleep(ms, undefined, { signal }),
  ) {
    this.#tokens = bytesPerSecond;
    this.#last = clock.monotonic();
  }

  #refill(): void {
    const now = this.clock.monotonic();
    this.#tokens = Math.min(this.bytesPerSecond, this.#tokens + ((now - this.#last) / 1000) * this.bytesPerSecond);
    this.#last = now;
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.#refill();
      if (this.#tokens >= 0) {
        this.#tokens -= bytes;
        return;
      }
      await this.wait(Math.ceil((-this.#tokens / this.bytesPerSecond) * 1000), signal);
    }
  }
}

export function byteLimiter(bytesPerSecond: number | undefined): ByteLimiter {
  return bytesPerSecond && bytesPerSecond > 0 ? new TokenBucket(bytesPerSecond) : unlimited;
}
