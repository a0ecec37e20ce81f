// The `--stats` summary: a few aligned lines for stderr at the end of a command.

import type { MetricsSnapshot } from './metrics.js';

const ms = (x: number | null) => (x === null ? '-' : x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`);

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

export function renderStats(s: MetricsSnapshot, elapsedMs: number): string {
  const r = s.requests;
  const lines = [
    `time ${ms(elapsedMs)} · requests ${r.total} (${r.errors} errors, ${r.retries} retries, ${r.throttles} throttled) · ${bytes(r.bytes)}`,
  ];
  const tiers = Object.entries(s.cache)
    .map(([tier, o]) => `${tier} ${o.hit ?? 0}/${(o.hit ?? 0) + (o.miss ?? 0) + (o.stale ?? 0)}`)
    .join(', ');
  if (tiers) lines.push(`cache hits ${tiers}${s.hitRatio === null ? '' : ` · hit ratio ${(s.hitRatio * 100).toFixed(1)}%`}`);
  const ops = Object.entries(s.operations).sort((a, b) => b[1].total - a[1].total);
  const width = Math.max(0, ...ops.map(([n]) => n.length));
  for (const [name, o] of ops) {
    lines.push(`  ${name.padEnd(width)}  ${String(o.total).padStart(5)} req  p50 ${ms(o.p50Ms)}  p95 ${ms(o.p95Ms)}  p99 ${ms(o.p99Ms)}`);
  }
  return lines.join('\n') + '\n';
}
