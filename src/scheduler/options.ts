// The scheduler's options: one typed object, validated where it enters, with p-queue's message
// shape (``Expected `concurrency` to be an integer >= 1, got `0` ``). Bad values come from the
// config file or `--concurrency`, so they are usage errors (exit 2).

import type { Clock } from '../util/clock.js';
import { usageError } from '../errors.js';
import { isRedisUrl, maskCredentials, REDIS_URL_FORM } from '../util/urls.js';

export interface SchedulerOptions {
  /** Requests in flight per lane (service, region, profile, endpoint): the cap adaptive concurrency never exceeds. Minimum: 1. */
  concurrency: number;
  /** Requests started per second per lane; 0 = uncapped. Minimum: 0. */
  rate: number;
  /** Further attempts after a throttled or transient failure. Minimum: 0. */
  retries: number;
  /** When set, the rate caps are shared by every process using this Redis (redis://host:port); with `rate` 0 there is no cap to share. */
  redisUrl?: string;
  /** A shared-rate answer from Redis slower than this falls back to the per-process cap, ms (config.cache.redisTimeout). Minimum: 1. @default 250 */
  redisTimeoutMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Halve the lane's limit on throttling, grow it back while latency holds. @default true */
  adaptive?: boolean;
  /** Milliseconds of waiting that raise a queued job by one priority level. Minimum: 1. @default 2000 */
  agingMs?: number;
  /** Random source in [0, 1) for backoff jitter; injected by tests. @default Math.random */
  random?: () => number;
  /** First backoff ceiling for transient faults, ms; doubles per attempt. @default 100 */
  baseDelayMs?: number;
  /** First backoff ceiling after throttling, ms; doubles per attempt. @default 500 */
  throttleBaseDelayMs?: number;
  /** Upper bound on any backoff, ms. @default 20000 */
  maxDelayMs?: number;
}

function fail(name: string, expected: string, got: unknown): never {
  throw usageError(
    'SCHEDULER_OPTION',
    `Expected \`${name}\` to be ${expected}, got \`${String(got)}\``,
    name === 'concurrency' ? 'Pass --concurrency N with N >= 1, or fix scheduler.concurrency in the config file.' : `Fix scheduler.${name} in the config file.`,
  );
}

function integerAtLeast(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(name, `an integer >= ${min}`, value);
}

function finiteAtLeast(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(name, `a finite number >= ${min}`, value);
}

export function validateOptions(opts: SchedulerOptions): void {
  integerAtLeast('concurrency', opts.concurrency, 1);
  finiteAtLeast('rate', opts.rate, 0);
  integerAtLeast('retries', opts.retries, 0);
  if (opts.redisUrl !== undefined && !isRedisUrl(opts.redisUrl)) fail('redisUrl', REDIS_URL_FORM, maskCredentials(opts.redisUrl));
  if (opts.redisTimeoutMs !== undefined) finiteAtLeast('redisTimeoutMs', opts.redisTimeoutMs, 1);
  if (opts.agingMs !== undefined) finiteAtLeast('agingMs', opts.agingMs, 1);
  if (opts.baseDelayMs !== undefined) finiteAtLeast('baseDelayMs', opts.baseDelayMs, 0);
  if (opts.throttleBaseDelayMs !== undefined) finiteAtLeast('throttleBaseDelayMs', opts.throttleBaseDelayMs, 0);
  if (opts.maxDelayMs !== undefined) finiteAtLeast('maxDelayMs', opts.maxDelayMs, 0);
}

/** A rate as a fixed number of starts per whole-second window (Redis keys expire in seconds). */
export interface RateWindow {
  points: number;
  seconds: number;
}

/** Longest window we widen to so that a fractional rate stays exact (2.5/s → 5 per 2 s). */
const MAX_WINDOW_SECONDS = 10;

/** 10/s → 10 per 1 s; 2.5/s → 5 per 2 s; 0.25/s → 1 per 4 s; otherwise whole starts per shortest window. */
export function rateWindow(rate: number): RateWindow {
  for (let seconds = 1; seconds <= MAX_WINDOW_SECONDS; seconds++) {
    const points = rate * seconds;
    if (points >= 1 && Math.abs(points - Math.round(points)) < 1e-9) return { points: Math.round(points), seconds };
  }
  const seconds = rate >= 1 ? 1 : Math.ceil(1 / rate);
  return { points: Math.max(1, Math.floor(rate * seconds)), seconds };
}
