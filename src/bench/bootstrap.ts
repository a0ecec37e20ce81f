// The statistical test behind `bench compare` and `perf --regressions`: a percentile bootstrap
// confidence interval of the ratio of medians, current / baseline. Resampling each side with
// replacement makes no assumption about the shape of the distributions (timings are skewed and
// often bimodal), and a ratio reads the same for 1 ms and 1 s figures.
//
// Verdict rule: a change is real when the 95% interval excludes 1 (significant) AND the point
// ratio moves past the noise threshold (meaningful). The "worse" direction depends on `better`.

import { seededRandom } from '../util/random.js';
import { quantileSorted, median } from './stats.js';
import type { Better } from './types.js';

type Verdict = 'improved' | 'unchanged' | 'regressed';

interface RatioTest {
  /** median(current) / median(baseline). */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  verdict: Verdict;
}

export interface RatioTestOptions {
  /** Relative change below which a difference is noise, e.g. 0.05. @default 0.05 */
  threshold?: number;
  /** @default 2000 */
  resamples?: number;
  /** @default 0.95 */
  confidence?: number;
  /** @default 1 */
  seed?: number;
}

function resampledMedian(xs: readonly number[], rnd: () => number, buf: Float64Array): number {
  for (let i = 0; i < xs.length; i++) buf[i] = xs[Math.floor(rnd() * xs.length)];
  buf.sort();
  return quantileSorted(buf, 0.5);
}

export function testMedianRatio(
  baseline: readonly number[],
  current: readonly number[],
  better: Better,
  opts: RatioTestOptions = {},
): RatioTest {
  const threshold = opts.threshold ?? 0.05;
  const resamples = opts.resamples ?? 2000;
  const alpha = 1 - (opts.confidence ?? 0.95);
  const rnd = seededRandom(opts.seed ?? 1);
  const bBuf = new Float64Array(baseline.length);
  const cBuf = new Float64Array(current.length);
  const ratios = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) {
    ratios[i] = resampledMedian(current, rnd, cBuf) / resampledMedian(baseline, rnd, bBuf);
  }
  ratios.sort();
  const ratio = median(current) / median(baseline);
  const ciLow = quantileSorted(ratios, alpha / 2);
  const ciHigh = quantileSorted(ratios, 1 - alpha / 2);
  const up = ciLow > 1 && ratio > 1 + threshold;
  const down = ciHigh < 1 && ratio < 1 / (1 + threshold);
  let verdict: Verdict = 'unchanged';
  if (up) verdict = better === 'lower' ? 'regressed' : 'improved';
  if (down) verdict = better === 'lower' ? 'improved' : 'regressed';
  return { ratio, ciLow, ciHigh, verdict };
}

/** Percentile bootstrap interval of the median of one sample (e.g. the A/B ratios of pairs). */
export function bootstrapMedianCi(
  xs: readonly number[],
  opts: Pick<RatioTestOptions, 'resamples' | 'confidence' | 'seed'> = {},
): [number, number] {
  const resamples = opts.resamples ?? 2000;
  const alpha = 1 - (opts.confidence ?? 0.95);
  const rnd = seededRandom(opts.seed ?? 1);
  const buf = new Float64Array(xs.length);
  const meds = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) meds[i] = resampledMedian(xs, rnd, buf);
  meds.sort();
  return [quantileSorted(meds, alpha / 2), quantileSorted(meds, 1 - alpha / 2)];
}
