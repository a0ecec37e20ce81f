// The mount's figures: counters and latency histograms, one plain JSON snapshot. The snapshot is
// the content of the virtual /.strata-stats.json, what --stats prints at unmount, and what
// `perf dashboard` reads from <cache dir>/live/<pid>.json (published every second, atomically).

import { LatencyHistogram } from '../metrics/histogram.js';
import type { Clock } from '../util/clock.js';

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface MountMetrics {
  kind: 'mount';
  pid: number;
  source: string;
  mountpoint: string;
  startedAt: number;
  at: number;
  blocks: {
    blockSize: number;
    l1: { hits: number; misses: number; evictions: number; bytes: number; capacity: number };
    l2: { hits: number; misses: number; writes: number; skipped: number; compressed: number; bytes: number };
    /** Block buffers: allocated over the mount's life, reuses of a recycled one, free now. */
    pool: { allocated: number; reused: number; free: number };
  };
  prefetch: {
    blocks: number;
    bytesPrefetched: number;
    bytesUsed: number;
    bytesWasted: number;
    /** bytesUsed / (bytesUsed + bytesWasted + bytes still unread); null before any prefetch. */
    accuracy: number | null;
    /** Times a random access switched read-ahead off. */
    readaheadResets: number;
  };
  bytes: { read: number; written: number; downloaded: number; uploaded: number };
  requests: Record<string, LatencySummary & { errors: number }>;
  ops: Record<string, LatencySummary & { errors: number }>;
  queues: { foreground: number; readahead: number; warming: number; inFlight: number; bufferedBytes: number; expired: number };
  writes: { dirtyFiles: number; uploads: number; failedUploads: number; pendingOnDisk: number };
  warm: { files: number; done: number; bytes: number; running: boolean };
}

class Timed {
  readonly hist = new LatencyHistogram();
  errors = 0;
  summary(): LatencySummary & { errors: number } {
    const p = (q: number) => (this.hist.count ? Number(this.hist.percentile(q).toFixed(3)) : null);
    return { count: this.hist.count, p50Ms: p(0.5), p95Ms: p(0.95), p99Ms: p(0.99), errors: this.errors };
  }
}

export class MountStats {
  readonly clock: Clock;
  readonly startedAt: number;
  readonly bytes = { read: 0, written: 0, downloaded: 0, uploaded: 0 };
  readonly prefetch = { blocks: 0, bytesPrefetched: 0, bytesUsed: 0, bytesWasted: 0 };
  readonly writes = { uploads: 0, failedUploads: 0 };
  readonly warm = { files: 0, done: 0, bytes: 0, running: false };
  readonly #requests = new Map<string, Timed>();
  readonly #ops = new Map<string, Timed>();

  constructor(clock: Clock) {
    this.clock = clock;
    this.startedAt = clock.now();
  }

  request(name: string, ms: number, ok: boolean): void {
    record(this.#requests, name, ms, ok);
  }

  op(name: string, ms: number, ok: boolean): void {
    record(this.#ops, name, ms, ok);
  }

  summaries(which: 'requests' | 'ops'): Record<string, LatencySummary & { errors: number }> {
    const m = which === 'requests' ? this.#requests : this.#ops;
    return Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => [k, t.summary()]));
  }
}

function record(map: Map<string, Timed>, name: string, ms: number, ok: boolean): void {
  let t = map.get(name);
  if (!t) map.set(name, (t = new Timed()));
  t.hist.record(ms);
  if (!ok) t.errors++;
}
