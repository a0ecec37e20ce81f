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
