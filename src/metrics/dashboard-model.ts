// What the dashboard shows, computed from two consecutive live snapshots and the usage log:
// a pure function, so the view is tested without a terminal. Gauges follow a naming
// convention: `inFlight` for requests in flight, `queue.<lane>` for queue depths.

import { LatencyHistogram } from './histogram.js';
import type { LiveSnapshot } from './live.js';
import type { UsageEvent } from './usage-log.js';

export interface DashboardView {
  title: string;
  pid: number | null;
  uptimeS: number | null;
  requestsPerS: number | null;
  totalRequests: number;
  inFlight: number | null;
  hitRatio: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  queues: [lane: string, depth: number][];
  /** From the usage log over the last hour: runs per command, most run first. */
  recentCommands: [command: string, runs: number, p50Ms: number][];
}

const nn = (x: number) => (Number.isFinite(x) ? x : null);

export function dashboardView(prev: LiveSnapshot | undefined, cur: LiveSnapshot | undefined, usage: readonly UsageEvent[]): DashboardView {
  const hist = new LatencyHistogram();
  for (const o of Object.values(cur?.operations ?? {})) hist.merge(o.histogram);
  const samePid = prev && cur && prev.pid === cur.pid && cur.at > prev.at;
  const byCommand = new Map<string, LatencyHistogram>();
  for (const e of usage) {
    let h = byCommand.get(e.command);
    if (!h) byCommand.set(e.command, (h = new LatencyHistogram()));
    h.record(e.ms);
  }
  return {
    title: cur ? (cur.title ?? `strata process ${cur.pid}`) : 'no live strata process',
    pid: cur?.pid ?? null,
    uptimeS: cur ? Math.round((cur.at - cur.startedAt) / 1000) : null,
    requestsPerS: samePid ? ((cur.requests.total - prev.requests.total) * 1000) / (cur.at - prev.at) : null,
    totalRequests: cur?.requests.total ?? 0,
    inFlight: cur?.gauges.inFlight ?? null,
    hitRatio: cur?.hitRatio ?? null,
    p50Ms: nn(hist.percentile(0.5)),
    p95Ms: nn(hist.percentile(0.95)),
    p99Ms: nn(hist.percentile(0.99)),
    queues: Object.entries(cur?.gauges ?? {})
      .filter(([k]) => k.startsWith('queue.'))
      .map(([k, v]): [string, number] => [k.slice(6), v])
      .sort((a, b) => b[1] - a[1]),
    recentCommands: [...byCommand]
      .map(([c, h]): [string, number, number] => [c, h.count, h.percentile(0.5)])
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8),
  };
}
