// `perf report`: percentiles, request counts and hit ratios over a time window, from the usage
// log. Upstream operations come from the merged per-command histograms; each command is a row
// too (`cmd:<name>`, its whole-run time, hit ratio = share of runs a cache tier answered).
// Regressions use the bench comparison test (bootstrap CI of the median ratio) on the window
// against everything older in the log.

import type { Rec } from '../cli/types.js';
import { testMedianRatio } from '../bench/bootstrap.js';
import { LatencyHistogram } from './histogram.js';
import type { UsageEvent } from './usage-log.js';

interface OperationReport extends Rec {
  operation: string;
  count: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  hitRatio: number | null;
}

interface Group {
  hist: LatencyHistogram;
  errors: number;
  answered: number;
  known: number;
  lookups: number;
  hits: number;
}

const r3 = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(3)) : null);

function groups(events: readonly UsageEvent[]): Map<string, Group> {
  const map = new Map<string, Group>();
  const get = (k: string) => {
    let g = map.get(k);
    if (!g) map.set(k, (g = { hist: new LatencyHistogram(), errors: 0, answered: 0, known: 0, lookups: 0, hits: 0 }));
    return g;
  };
  for (const e of events) {
    const c = get(`cmd:${e.command}`);
    c.hist.record(e.ms);
    if (e.exitCode !== 0) c.errors++;
    if (e.answeredBy) {
      c.known++;
      if (e.answeredBy !== 'upstream') c.answered++;
    }
    if (e.cache) {
      c.lookups += e.cache.lookups;
      c.hits += e.cache.hits;
    }
    for (const [op, o] of Object.entries(e.operations ?? {})) {
      const g = get(op);
      g.hist.merge(o.h);
      g.errors += o.errors;
    }
  }
  return map;
}

export function perfReport(events: readonly UsageEvent[]): OperationReport[] {
  return [...groups(events)]
    .map(([operation, g]) => ({
      operation,
      count: g.hist.count,
      errors: g.errors,
      p50Ms: r3(g.hist.percentile(0.5)),
      p95Ms: r3(g.hist.percentile(0.95)),
      p99Ms: r3(g.hist.percentile(0.99)),
      maxMs: g.hist.count ? r3(g.hist.maxMs) : null,
      hitRatio: g.lookups ? r3(g.hits / g.lookups) : g.known ? r3(g.answered / g.known) : null,
    }))
    .sort((a, b) => b.count - a.count || a.operation.localeCompare(b.operation));
}

/** Expands a histogram into its (bucket-valued) samples, at most `cap` spread evenly. */
function samplesOf(h: LatencyHistogram, cap = 4000): number[] {
  const step = Math.max(1, h.count / cap);
  const out: number[] = [];
  let acc = 0;
  for (const [v, c] of h.buckets()) {
    acc += c;
    while (acc >= step) {
      out.push(v);
      acc -= step;
    }
  }
  return out;
}

interface RegressionRow extends Rec {
  operation: string;
  recentP50Ms: number | null;
  historyP50Ms: number | null;
  ratio: number;
  ciLow: number;
  ciHigh: number;
  recentCount: number;
  historyCount: number;
}

/** Operations whose latency since `since` is significantly worse than before it. */
export function findRegressions(
  events: readonly UsageEvent[],
  since: number,
  opts: { threshold?: number; seed?: number; minSamples?: number } = {},
): RegressionRow[] {
  const recent = groups(events.filter((e) => e.t >= since));
  const history = groups(events.filter((e) => e.t < since));
  const min = opts.minSamples ?? 5;
  const rows: RegressionRow[] = [];
  for (const [op, r] of recent) {
    const h = history.get(op);
    if (!h || r.hist.count < min || h.hist.count < min) continue;
    const t = testMedianRatio(samplesOf(h.hist), samplesOf(r.hist), 'lower', { threshold: opts.threshold, seed: opts.seed });
    if (t.verdict !== 'regressed') continue;
    rows.push({
      operation: op,
      recentP50Ms: r3(r.hist.percentile(0.5)),
      historyP50Ms: r3(h.hist.percentile(0.5)),
      ratio: r3(t.ratio)!,
      ciLow: r3(t.ciLow)!,
      ciHigh: r3(t.ciHigh)!,
      recentCount: r.hist.count,
      historyCount: h.hist.count,
    });
  }
  return rows.sort((a, b) => b.ratio - a.ratio);
}
