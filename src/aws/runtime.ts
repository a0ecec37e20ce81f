// What every AWS read and transfer needs from the run, in one small object: the scope, the
// engine (cache + dedup) and the scheduler (limits, retries), both obtained lazily so that a
// cached answer never loads the scheduler's lane or the SDK. Commands build it from their
// context with `runtimeFrom(ctx)`; tests build it from a real engine and scheduler.

import { setMaxListeners } from 'node:events';
import type { CommandContext, Rec } from '../cli/types.js';
import type { CacheMode, Operation } from '../engine/types.js';
import type { Priority, Scheduler } from '../scheduler/types.js';
import { shortHash } from '../engine/key.js';
import { closeClients, type AwsScope, type ClientOptions } from './clients.js';

/** The part of the engine AWS code uses (src/engine/index.ts implements it). */
export interface StreamEngine {
  key(op: Operation): string;
  stream<T extends Rec>(
    op: Operation,
    fetch: (signal: AbortSignal) => AsyncIterable<T>,
    opts?: { mode?: CacheMode; ttl?: number; signal?: AbortSignal },
  ): AsyncIterable<T>;
  invalidate(glob: string): Promise<number>;
}

export interface AwsRuntime {
  /** Profile and endpoint of the run; `region` may be empty (commands resolve it) or 'all'. */
  scope: AwsScope;
  engine(): Promise<StreamEngine>;
  scheduler(): Promise<Scheduler>;
  signal: AbortSignal;
  cacheMode: CacheMode;
  ttl?: number;
  /** Sockets per client and transfers in flight (--concurrency). */
  concurrency: number;
  priority?: Priority;
  /** Silence on a request's socket that fails it, ms (clients.ts's default when unset). */
  socketTimeoutMs?: number;
}

/** Default in-flight requests when --concurrency is not given (the scheduler's default too). */
export const DEFAULT_CONCURRENCY = 16;

export function runtimeFrom(ctx: CommandContext): AwsRuntime {
  const g = ctx.globals;
  // Every request queued or in flight listens to the run's signal (one listener per scheduler
  // job): with --concurrency above 10 Node would warn of a listener leak on stderr.
  setMaxListeners(0, ctx.signal);
  // the pooled SDK clients (and their sockets) end with the run
  ctx.services.onClose(closeClients);
  return {
    // the globals already hold flags > environment > config (src/cli/resolve-globals.ts)
    scope: { profile: g.profile, region: g.region ?? '', endpoint: g.endpointUrl },
    engine: () => ctx.services.engine(),
    scheduler: () => ctx.services.scheduler(),
    signal: ctx.signal,
    cacheMode: g.cacheMode,
    ttl: g.ttl,
    concurrency: g.concurrency ?? ctx.config.scheduler.concurrency ?? DEFAULT_CONCURRENCY,
    priority: 'interactive',
  };
}

/** The options of the run's SDK clients. */
export function clientOptions(rt: AwsRuntime): ClientOptions {
  return { maxSockets: rt.concurrency, socketTimeoutMs: rt.socketTimeoutMs };
}

/**
 * The scheduler lane of a service in a region for one account and endpoint: `s3:us-east-1` for
 * the default profile on AWS, `s3:us-east-1:prod` for profile prod, `s3:us-east-1:default:<hash>`
 * with a custom endpoint (hashed: an endpoint may carry user:password). The lane is also the Redis
 * key of a shared rate cap, so accounts and endpoints never share one cap or one AIMD window.
 */
export function laneOf(service: string, region: string, scope: Pick<AwsScope, 'profile' | 'endpoint'>): string {
  const profile = scope.profile || 'default';
  if (scope.endpoint) return `${service}:${region}:${profile}:${shortHash(scope.endpoint)}`;
  return profile === 'default' ? `${service}:${region}` : `${service}:${region}:${profile}`;
}
