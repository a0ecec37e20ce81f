// The `--stats` summary: a few aligned lines for stderr at the end of a command.

import type { MetricsSnapshot } from './metrics.js';
import { formatBytes } from '../util/units.js';

/** A duration for people: two decimals under 10 ms, whole milliseconds above; `empty` for none. */
export const formatMs = (x: number | null, empty = '-') => (x === null ? empty : x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`);

export function renderStats(s: MetricsSnapshot, elapsedMs: number): string {
  const r = s.requests;
  const lines = [
    `time ${formatMs(elapsedMs)} · requests ${r.total} (${r.errors} errors, ${r.retries} retries, ${r.throttles} throttled) · ${formatBytes(r.bytes)}`,
  ];
  const tiers = Object.entries(s.cache)
    .map(([tier, o]) => `${tier} ${o.hit ?? 0}/${(o.hit ?? 0) + (o.miss ?? 0) + (o.stale ?? 0)}`)
    .join(', ');
  if (tiers) lines.push(`cache hits ${tiers}${s.hitRatio === null ? '' : ` · hit ratio ${(s.hitRatio * 100).toFixed(1)}%`}`);
  const ops = Object.entries(s.operations).sort((a, b) => b[1].total - a[1].total);
  const width = Math.max(0, ...ops.map(([n]) => n.length));
  for (const [name, o] of ops) {
    lines.push(`  ${name.padEnd(width)}  ${String(o.total).padStart(5)} req  p50 ${formatMs(o.p50Ms)}  p95 ${formatMs(o.p95Ms)}  p99 ${formatMs(o.p99Ms)}`);
  }
  return lines.join('\n') + '\n';
}
