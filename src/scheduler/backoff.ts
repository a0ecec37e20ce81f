// Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"):
// wait a uniform random time in [0, min(max, base × 2^attempt)). Spreading retries over the whole
// interval is what lets many clients that were throttled together stop colliding.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  random: () => number;
}

/** Delay before retry number `attempt` (0 for the first retry). */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.floor(policy.random() * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
