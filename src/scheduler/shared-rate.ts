// Rate caps shared by every strata process through Redis (STRATA_REDIS_URL / cache.redisUrl).
//
// rate-limiter-flexible's RateLimiterRedis counts the starts of each lane in a Redis key per
// window (one Lua INCR + PTTL: atomic across processes and machines). The key is the lane name,
// which for AWS carries the profile and a hash of any custom endpoint (src/aws/runtime.ts
// laneOf). Its insurance limiter, an in-memory counter with the same window, answers whenever
// Redis is down, restarting or not yet connected (`rejectIfRedisNotReady`) or slower than
// `timeoutMs` (RLWrapperTimeouts), so requests keep their per-process cap instead of failing or
// hanging; the Redis client reconnects by itself and the shared count resumes. A refused start
// waits out the window (`msBeforeNext`) plus a little jitter, so processes do not all return at
// once. The Redis client and the limiter library are imported here only, on first use.

import { runtimeError } from '../errors.js';
import { sleep } from '../util/sleep.js';
import type { RateWindow } from './options.js';

export const RATE_KEY_PREFIX = 'strata:rate';
/** Spread of the extra wait after a refusal, so waiting processes do not retry in lockstep. */
const REFUSAL_JITTER_MS = 10;
/** A single connection attempt gives up after this long (the client then retries in the background). */
const CONNECT_TIMEOUT_MS = 1_000;
/** Longest pause between reconnection attempts while Redis is away. */
const MAX_RECONNECT_DELAY_MS = 1_000;

export interface SharedRate {
  /** Waits until the lane may start one more request. */
  take(lane: string, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/**
 * Waits for the first connection so that the first requests are counted in Redis, but no longer
 * than `ms`: the client keeps reconnecting in the background and the insurance limiter answers.
 */
async function connectWithin(connecting: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([connecting.catch(() => undefined), timeout]);
  clearTimeout(timer);
}

interface SharedRateOptions {
  redisUrl: string;
  window: RateWindow;
  /** A Redis answer (or the first connection) slower than this counts as Redis being away (config.cache.redisTimeout). */
  timeoutMs: number;
  random: () => number;
}

export async function createSharedRate({ redisUrl, window, timeoutMs, random }: SharedRateOptions): Promise<SharedRate> {
  const [{ RateLimiterRedis, RateLimiterMemory, RateLimiterRes, RLWrapperTimeouts }, { createClient }] = await Promise.all([
    import('rate-limiter-flexible'),
    import('@keyv/redis'),
  ]);
  const client = createClient({
    url: redisUrl,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  // Connection trouble is expected (Redis restarts); the insurance limiter covers it.
  client.on('error', () => undefined);
  await connectWithin(client.connect(), timeoutMs);

  const redisLimiter = new RateLimiterRedis({
    storeClient: client,
    useRedisPackage: true,
    rejectIfRedisNotReady: true,
    keyPrefix: RATE_KEY_PREFIX,
    points: window.points,
    duration: window.seconds,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: RATE_KEY_PREFIX, points: window.points, duration: window.seconds }),
  });
  const limiter = new RLWrapperTimeouts({ limiter: redisLimiter, timeoutMs });

  return {
    async take(lane, signal) {
      for (;;) {
        signal.throwIfAborted();
        try {
          await limiter.consume(lane);
          return;
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) {
            throw runtimeError('RATE_LIMITER', `The shared rate limiter failed: ${(e as Error).message}`, 'Check STRATA_REDIS_URL or unset it to use per-process limits.', e);
          }
          await sleep(e.msBeforeNext + Math.floor(random() * REFUSAL_JITTER_MS), signal);
        }
      }
    },
    async close() {
      if (client.isOpen) client.destroy();
    },
  };
}
