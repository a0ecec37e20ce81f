// Turns `bench cmd` measurements into records (one per command, one per A/B pair) and into the
// figures of a results document, so `bench compare` works on `bench cmd` exports too.

import type { Rec } from '../cli/types.js';
import { bootstrapMedianCi } from './bootstrap.js';
import type { CmdBenchResult, CommandMeasurement } from './cmd-runner.js';
import { figureResult, type FigureResult } from './results.js';
import { mean, median, summarize } from './stats.js';

const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

const nonNull = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

function measurementRecord(m: CommandMeasurement): Rec {
  const wall = m.runs.map((r) => r.wallMs);
  const s = summarize(wall);
  const user = nonNull(m.runs.map((r) => r.userMs));
  const sys = nonNull(m.runs.map((r) => r.sysMs));
  const rss = nonNull(m.runs.map((r) => r.maxRssKb));
  return {
    command: m.command,
    ...(Object.keys(m.params).length ? { parameters: m.params } : {}),
    runs: s.n,
    medianMs: round(s.median),
    meanMs: round(s.mean),
    stddevMs: round(s.stddev),
    minMs: round(s.min),
    maxMs: round(s.max),
    p95Ms: round(s.p95),
    userMs: user.length ? round(mean(user)) : null,
    systemMs: sys.length ? round(mean(sys)) : null,
    peakMemoryKb: rss.length ? median(rss) : null,
    outliers: s.outliers.length,
    failures: m.failures,
  };
}

export function cmdRecords(result: CmdBenchResult, seed = 1): Rec[] {
  const recs = result.measurements.map(measurementRecord);
  for (const p of result.pairs) {
    const [lo, hi] = bootstrapMedianCi(p.ratios, { seed });
    const r = median(p.ratios);
    recs.push({
      command: `${p.a} vs ${p.b}`,
      ...(Object.keys(p.params).length ? { parameters: p.params } : {}),
      pairs: p.ratios.length,
      ratioMedian: round(r, 4),
      ratioCiLow: round(lo, 4),
      ratioCiHigh: round(hi, 4),
      ratioMin: round(Math.min(...p.ratios), 4),
      ratioMax: round(Math.max(...p.ratios), 4),
      faster: hi < 1 ? p.a : lo > 1 ? p.b : 'neither (within the 95% interval)',
    });
  }
  return recs;
}

export function cmdFigures(result: CmdBenchResult): FigureResult[] {
  const figures: FigureResult[] = [];
  for (const m of result.measurements) {
    const name = m.command;
    figures.push(figureResult('cmd', { name, unit: 'ms', better: 'lower', samples: m.runs.map((r) => r.wallMs), note: 'wall time' }));
    const user = nonNull(m.runs.map((r) => r.userMs));
    const sys = nonNull(m.runs.map((r) => r.sysMs));
    const rss = nonNull(m.runs.map((r) => r.maxRssKb));
    if (user.length) figures.push(figureResult('cmd', { name: `${name} [user]`, unit: 'ms', better: 'lower', samples: user }));
    if (sys.length) figures.push(figureResult('cmd', { name: `${name} [system]`, unit: 'ms', better: 'lower', samples: sys }));
    if (rss.length) figures.push(figureResult('cmd', { name: `${name} [peak memory]`, unit: 'KiB', better: 'lower', samples: rss }));
  }
  for (const p of result.pairs) {
    figures.push(figureResult('cmd', { name: `${p.a} / ${p.b}`, unit: 'ratio', better: 'lower', samples: p.ratios, note: 'wall(A)/wall(B) per alternated pair' }));
  }
  return figures;
}
