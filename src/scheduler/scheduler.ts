// The scheduler: lanes created lazily per name (service, region, profile, endpoint: laneOf in
// aws/runtime.ts), one close signal for all of them, and (with a Redis URL) one shared-rate
// client, connected on the first job that needs it.

import { StrataError } from '../errors.js';
import { systemClock } from '../util/clock.js';
import { Lane, type LaneScheduleOptions, type LaneSettings, type LaneStats } from './lane.js';
import { rateWindow, validateOptions, type SchedulerOptions } from './options.js';
import { createSharedRate, type SharedRate } from './shared-rate.js';
import type { Scheduler } from './types.js';

/** Backoff ceilings of the AWS SDK's standard retry strategy (base 100 ms, throttling 500 ms, max 20 s). */
const DEFAULT_BASE_DELAY_MS = 100;
const DEFAULT_THROTTLE_BASE_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 20_000;
/** Waiting this long lifts a queued job one priority level: a warming job overtakes fresh interactive work after 6 s. */
const DEFAULT_AGING_MS = 2_000;
/** As config.cache.redisTimeout: a slower Redis answer falls back to the per-process limiter. */
const DEFAULT_REDIS_TIMEOUT_MS = 250;

export interface ManagedScheduler extends Scheduler {
  schedule<T>(lane: string, job: (signal: AbortSignal) => Promise<T>, opts?: LaneScheduleOptions): Promise<T>;
  /** Queue depth, in-flight count and current limit per lane, for the dashboard. */
  stats(): LaneStats[];
  /** Stops new work: queued jobs reject, running jobs are aborted; resolves once none runs. */
  close(): Promise<void>;
}

function closedError(): StrataError {
  return new StrataError('INTERRUPTED', 'Interrupted: the request was cancelled before it finished', {
    kind: 'interrupted',
    hint: 'Run the command again to finish the remaining work.',
  });
}

export function createScheduler(opts: SchedulerOptions): ManagedScheduler {
  validateOptions(opts);
  const random = opts.random ?? Math.random;
  const maxMs = opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const closing = new AbortController();
  const window = opts.rate > 0 ? rateWindow(opts.rate) : undefined;
  const shared = window && opts.redisUrl ? { url: opts.redisUrl, window } : undefined;
  let sharedRate: Promise<SharedRate> | undefined;

  const settings: LaneSettings = {
    clock: opts.clock ?? systemClock,
    concurrency: opts.concurrency,
    localRate: shared ? undefined : window,
    retries: opts.retries,
    adaptive: opts.adaptive ?? true,
    agingMs: opts.agingMs ?? DEFAULT_AGING_MS,
    transientBackoff: { baseMs: opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS, maxMs, random },
    throttleBackoff: { baseMs: opts.throttleBaseDelayMs ?? DEFAULT_THROTTLE_BASE_DELAY_MS, maxMs, random },
    closeSignal: closing.signal,
    sharedRate: shared
      ? () => (sharedRate ??= createSharedRate({ redisUrl: shared.url, window: shared.window, timeoutMs: opts.redisTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS, random }))
      : undefined,
  };
  const lanes = new Map<string, Lane>();

  return {
    schedule(laneName, job, scheduleOpts) {
      if (closing.signal.aborted) return Promise.reject(closing.signal.reason);
      let lane = lanes.get(laneName);
      if (!lane) {
        lane = new Lane(laneName, settings);
        lanes.set(laneName, lane);
      }
      return lane.schedule(job, scheduleOpts);
    },
    stats() {
      return [...lanes.values()].map((lane) => lane.stats());
    },
    async close() {
      if (!closing.signal.aborted) closing.abort(closedError());
      await Promise.all([...lanes.values()].map((lane) => lane.close(closing.signal.reason)));
      if (sharedRate) await (await sharedRate).close();
    },
  };
}
