// `bench compare`: match figures by suite and name, and judge each by the bootstrap ratio test
// (bootstrap.ts). Suites must match unless `common` is set, because a comparison that silently
// drops a suite reads as "no regressions".

import type { Rec } from '../cli/types.js';
import { usageError } from '../errors.js';
import { testMedianRatio, type RatioTestOptions } from './bootstrap.js';
import { median } from './stats.js';
import type { ResultsDocument } from './results.js';

type CompareVerdict = 'improved' | 'unchanged' | 'regressed' | 'missing' | 'new';

interface CompareRow extends Rec {
  suite: string;
  figure: string;
  unit: string;
  baseline: number | null;
  current: number | null;
  ratio: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  verdict: CompareVerdict;
}

interface CompareOptions extends RatioTestOptions {
  /** Compare only the suites present in both documents. */
  common?: boolean;
}

const r4 = (x: number) => Number(x.toFixed(4));

export function compareDocuments(base: ResultsDocument, cur: ResultsDocument, opts: CompareOptions = {}): CompareRow[] {
  const onlyBase = base.suites.filter((s) => !cur.suites.includes(s));
  const onlyCur = cur.suites.filter((s) => !base.suites.includes(s));
  const shared = base.suites.filter((s) => cur.suites.includes(s));
  if (shared.length === 0 || (!opts.common && (onlyBase.length || onlyCur.length))) {
    const parts = [
      onlyBase.length ? `only the baseline has ${onlyBase.join(', ')}` : '',
      onlyCur.length ? `only the current results have ${onlyCur.join(', ')}` : '',
    ].filter(Boolean);
    throw usageError(
      'BENCH_SUITES_MISMATCH',
      `The baseline and the current results cover different suites: ${parts.join('; ')}.`,
      shared.length
        ? `Run the same suites (strata bench ${base.suites.join(' ')}), or pass --common to compare only ${shared.join(', ')}.`
        : `Run the same suites: strata bench ${base.suites.join(' ')}.`,
    );
  }
  const key = (suite: string, name: string) => `${suite}\u0000${name}`;
  const curByKey = new Map(cur.figures.map((f) => [key(f.suite, f.name), f]));
  const rows: CompareRow[] = [];
  const seen = new Set<string>();
  for (const b of base.figures) {
    if (!shared.includes(b.suite)) continue;
    const k = key(b.suite, b.name);
    seen.add(k);
    const c = curByKey.get(k);
    const row = { suite: b.suite, figure: b.name, unit: b.unit, baseline: r4(median(b.samples)) };
    if (!c) {
      rows.push({ ...row, current: null, ratio: null, ciLow: null, ciHigh: null, verdict: 'missing' });
      continue;
    }
    const t = testMedianRatio(b.samples, c.samples, b.better, opts);
    rows.push({ ...row, current: r4(median(c.samples)), ratio: r4(t.ratio), ciLow: r4(t.ciLow), ciHigh: r4(t.ciHigh), verdict: t.verdict });
  }
  for (const c of cur.figures) {
    if (!shared.includes(c.suite) || seen.has(key(c.suite, c.name))) continue;
    rows.push({ suite: c.suite, figure: c.name, unit: c.unit, baseline: null, current: r4(median(c.samples)), ratio: null, ciLow: null, ciHigh: null, verdict: 'new' });
  }
  return rows;
}
