// The in-process metrics registry: subscribes to the request and cache channels
// (channels.ts) and keeps counters, one latency histogram per operation and lookup outcomes per
// cache tier. Gauges (requests in flight, queue depths) are read on demand from whoever owns
// them, e.g. the scheduler. `snapshot()` is a plain JSON object: it feeds --stats, the usage
// log, `perf dashboard` (via live.ts) and tests.

import diagnostics_channel from 'node:diagnostics_channel';
import { systemClock, type Clock } from '../util/clock.js';
import { cacheChannel, requestChannel, type CacheEvent, type RequestEvent } from './channels.js';
import { LatencyHistogram, type EncodedHistogram } from './histogram.js';

type Tier = CacheEvent['tier'];

interface RequestCounters {
  total: number;
  ok: number;
  errors: number;
  retries: number;
  throttles: number;
  cancelled: number;
  bytes: number;
}

interface OperationSnapshot extends RequestCounters {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  histogram: EncodedHistogram;
}

export interface MetricsSnapshot {
  pid: number;
  startedAt: number;
  at: number;
  requests: RequestCounters;
  operations: Record<string, OperationSnapshot>;
  /** Outcome counts per tier, e.g. { memory: { hit: 3, miss: 1 } }. */
  cache: Partial<Record<Tier, Record<string, number>>>;
  /** Lookups answered by any tier / lookups made; null before the first lookup. */
  hitRatio: number | null;
  gauges: Record<string, number>;
}

const emptyCounters = (): RequestCounters => ({ total: 0, ok: 0, errors: 0, retries: 0, throttles: 0, cancelled: 0, bytes: 0 });

const TIER_ORDER: Tier[] = ['memory', 'disk', 'redis'];

/** Lookups made and how many a tier answered; undefined before the first lookup. */
export function cacheTotals(cache: MetricsSnapshot['cache']): { lookups: number; hits: number } | undefined {
  // Every lookup starts in the first tier present; a hit in any tier answers it.
  const first = TIER_ORDER.find((t) => cache[t]);
  if (!first) return undefined;
  const f = cache[first]!;
  // a --refresh lookup is one too: the first tier counts it as `refresh`, not `miss`
  const lookups = (f.hit ?? 0) + (f.miss ?? 0) + (f.stale ?? 0) + (f.refresh ?? 0);
  if (lookups === 0) return undefined;
  const hits = TIER_ORDER.reduce((s, t) => s + (cache[t]?.hit ?? 0), 0);
  return { lookups, hits: Math.min(hits, lookups) };
}

function hitRatioOf(cache: MetricsSnapshot['cache']): number | null {
  const totals = cacheTotals(cache);
  return totals ? totals.hits / totals.lookups : null;
}

const nn = (x: number) => (Number.isNaN(x) ? null : Number(x.toFixed(3)));

export class Metrics {
  readonly #clock: Clock;
  readonly startedAt: number;
  readonly #requests = emptyCounters();
  readonly #ops = new Map<string, { counters: RequestCounters; hist: LatencyHistogram }>();
  readonly #cache: MetricsSnapshot['cache'] = {};
  readonly #gauges = new Map<string, () => number>();

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
    this.startedAt = clock.now();
  }

  /** Starts listening on the channels; returns the function that stops it. */
  subscribe(): () => void {
    const onRequest = (m: unknown) => this.recordRequest(m as RequestEvent);
    const onCache = (m: unknown) => this.recordCache(m as CacheEvent);
    diagnostics_channel.subscribe(requestChannel.name, onRequest);
    diagnostics_channel.subscribe(cacheChannel.name, onCache);
    return () => {
      diagnostics_channel.unsubscribe(requestChannel.name, onRequest);
      diagnostics_channel.unsubscribe(cacheChannel.name, onCache);
    };
  }

  recordRequest(e: RequestEvent): void {
    let op = this.#ops.get(e.operation);
    if (!op) this.#ops.set(e.operation, (op = { counters: emptyCounters(), hist: new LatencyHistogram() }));
    for (const c of [this.#requests, op.counters]) {
      c.total++;
      c.bytes += e.bytes ?? 0;
      if (e.outcome === 'ok') c.ok++;
      else if (e.outcome === 'error') c.errors++;
      else if (e.outcome === 'retry') c.retries++;
      else if (e.outcome === 'throttled') c.throttles++;
      else c.cancelled++;
    }
    if (e.outcome !== 'cancelled') op.hist.record(e.ms);
  }

  recordCache(e: CacheEvent): void {
    const tier = (this.#cache[e.tier] ??= {});
    tier[e.outcome] = (tier[e.outcome] ?? 0) + 1;
  }

  /** Registers a gauge read at each snapshot, e.g. ('inFlight', () => scheduler.inFlight). */
  gauge(name: string, read: () => number): void {
    this.#gauges.set(name, read);
  }

  snapshot(): MetricsSnapshot {
    const operations: Record<string, OperationSnapshot> = {};
    for (const [name, { counters, hist }] of this.#ops) {
      operations[name] = {
        ...counters,
        p50Ms: nn(hist.percentile(0.5)),
        p95Ms: nn(hist.percentile(0.95)),
        p99Ms: nn(hist.percentile(0.99)),
        maxMs: hist.count ? nn(hist.maxMs) : null,
        histogram: hist.encode(),
      };
    }
    const cache = structuredClone(this.#cache);
    const gauges: Record<string, number> = {};
    for (const [name, read] of this.#gauges) gauges[name] = read();
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      at: this.#clock.now(),
      requests: { ...this.#requests },
      operations,
      cache,
      hitRatio: hitRatioOf(cache),
      gauges,
    };
  }
}
