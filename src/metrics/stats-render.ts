// The `--stats` summary: a few aligned lines for stderr at the end of a command. The cache lines
// show what this run's lookups did per tier; entries and bytes held are `cache stats`' (they
// cost a pass over the disk tier and a Redis SCAN, too much for every command's exit).

import { cacheTotals, type MetricsSnapshot } from './metrics.js';
import { formatBytes } from '../util/units.js';

/** A duration for people: two decimals under 10 ms, whole milliseconds above; `empty` for none. */
export const formatMs = (x: number | null, empty = '-') => (x === null ? empty : x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`);

const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((part / whole) * 100).toFixed(1)}%`);

export function renderStats(s: MetricsSnapshot, elapsedMs: number): string {
  const r = s.requests;
  const lines = [
    `time ${formatMs(elapsedMs)} · requests ${r.total} (${r.errors} errors, ${r.retries} retries, ${r.throttles} throttled) · ${formatBytes(r.bytes)}`,
    ...cacheLines(s),
  ];
  const ops = Object.entries(s.operations).sort((a, b) => b[1].total - a[1].total);
  const width = Math.max(0, ...ops.map(([n]) => n.length));
  for (const [name, o] of ops) {
    lines.push(`  ${name.padEnd(width)}  ${String(o.total).padStart(5)} req  p50 ${formatMs(o.p50Ms)}  p95 ${formatMs(o.p95Ms)}  p99 ${formatMs(o.p99Ms)}`);
  }
  return lines.join('\n') + '\n';
}

/** One line per tier the run touched (a --refresh lookup is a miss), then the run's hit ratio. */
function cacheLines(s: MetricsSnapshot): string[] {
  const tiers = (['memory', 'disk', 'redis'] as const).flatMap((tier) => {
    const o = s.cache[tier];
    if (!o) return [];
    const hits = o.hit ?? 0;
    const misses = (o.miss ?? 0) + (o.refresh ?? 0);
    const rare = [['stale', o.stale ?? 0], ['errors', o.error ?? 0]].filter(([, n]) => n !== 0).map(([label, n]) => `  ${label} ${n}`);
    return [{ tier, hits: String(hits), misses: String(misses), ratio: pct(hits, hits + misses), tail: `  evictions ${o.evict ?? 0}${rare.join('')}` }];
  });
  if (tiers.length === 0) return [];
  const w = (k: 'tier' | 'hits' | 'misses' | 'ratio') => Math.max(...tiers.map((t) => t[k].length));
  const lines = tiers.map((t) => `cache ${t.tier.padEnd(w('tier'))}  hits ${t.hits.padStart(w('hits'))}  misses ${t.misses.padStart(w('misses'))}  hit ratio ${t.ratio.padStart(w('ratio'))}${t.tail}`);
  const totals = cacheTotals(s.cache);
  if (totals) lines.push(`cache hit ratio ${pct(totals.hits, totals.lookups)} of ${totals.lookups} lookup${totals.lookups === 1 ? '' : 's'}`);
  return lines;
}
