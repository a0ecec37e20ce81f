// Summary statistics over samples. Percentiles interpolate linearly between order statistics
// (numpy's default, as hyperfine reports them). Outliers use the modified z-score of Iglewicz
// and Hoaglin: 0.6745·|x − median| / MAD > 3.5, robust where mean ± k·σ is dragged by the
// outliers themselves.

export interface Summary {
  n: number;
  median: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p95: number;
  /** Indices (into the samples as given) of outliers by median absolute deviation. */
  outliers: number[];
}

const OUTLIER_Z = 3.5;

function sorted(xs: readonly number[]): Float64Array {
  return Float64Array.from(xs).sort();
}

/** Percentile q in [0, 1] of already sorted samples. */
export function quantileSorted(s: ArrayLike<number>, q: number): number {
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantileSorted(sorted(xs), 0.5);
}

export function mean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return xs.length ? sum / xs.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for a single sample. */
export function stddev(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let acc = 0;
  for (const x of xs) acc += (x - m) ** 2;
  return Math.sqrt(acc / (xs.length - 1));
}

export function madOutliers(xs: readonly number[]): number[] {
  if (xs.length < 3) return [];
  const med = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - med)));
  if (mad === 0) return [];
  const out: number[] = [];
  xs.forEach((x, i) => {
    if ((0.6745 * Math.abs(x - med)) / mad > OUTLIER_Z) out.push(i);
  });
  return out;
}

export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs);
  return {
    n: xs.length,
    median: quantileSorted(s, 0.5),
    mean: mean(xs),
    stddev: stddev(xs),
    min: s.length ? s[0] : NaN,
    max: s.length ? s[s.length - 1] : NaN,
    p95: quantileSorted(s, 0.95),
    outliers: madOutliers(xs),
  };
}
