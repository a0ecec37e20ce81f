import { describe, expect, it } from 'vitest';
import { madOutliers, median, quantileSorted, stddev, summarize } from '../../src/bench/stats.js';
import { bootstrapMedianCi, testMedianRatio } from '../../src/bench/bootstrap.js';
import { seededRandom } from '../../src/util/random.js';

describe('summary statistics', () => {
  it('computes median, mean, sample stddev, min, max and an interpolated p95', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ n: 5, median: 3, mean: 3, min: 1, max: 5 });
    expect(s.stddev).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(s.p95).toBeCloseTo(4.8, 12);
  });

  it('takes the mean of the two middle values for an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantileSorted(Float64Array.of(10, 20), 0.5)).toBe(15);
  });

  it('gives stddev 0 for one sample', () => {
    expect(stddev([7])).toBe(0);
  });

  it('flags values far from the median by MAD and not their neighbours', () => {
    const xs = [10, 10.2, 9.9, 10.1, 10, 9.8, 10.3, 25, 10.1];
    expect(madOutliers(xs)).toEqual([7]);
  });

  it('flags nothing when most values are identical (MAD 0)', () => {
    expect(madOutliers([1, 1, 1, 1, 9])).toEqual([]);
  });
});

describe('bootstrap ratio test', () => {
  const noisy = (center: number, seed: number, n = 30) => {
    const rnd = seededRandom(seed);
    return Array.from({ length: n }, () => center * (1 + (rnd() - 0.5) * 0.04));
  };

  it('is reproducible for a given seed', () => {
    const a = testMedianRatio(noisy(10, 1), noisy(11, 2), 'lower', { seed: 7 });
    const b = testMedianRatio(noisy(10, 1), noisy(11, 2), 'lower', { seed: 7 });
    expect(a).toEqual(b);
  });

  it('calls a 20% slowdown of a lower-is-better figure a regression', () => {
    const t = testMedianRatio(noisy(10, 1), noisy(12, 2), 'lower');
    expect(t.verdict).toBe('regressed');
    expect(t.ciLow).toBeGreaterThan(1);
    expect(t.ratio).toBeCloseTo(1.2, 1);
  });

  it('calls the same drop of a higher-is-better figure a regression too', () => {
    expect(testMedianRatio(noisy(100, 1), noisy(80, 2), 'higher').verdict).toBe('regressed');
    expect(testMedianRatio(noisy(100, 1), noisy(80, 2), 'lower').verdict).toBe('improved');
  });

  it('calls a significant change smaller than the threshold unchanged', () => {
    const t = testMedianRatio(noisy(10, 1, 200), noisy(10.3, 2, 200), 'lower', { threshold: 0.05 });
    expect(t.ciLow).toBeGreaterThan(1);
    expect(t.verdict).toBe('unchanged');
  });

  it('calls overlapping noisy samples unchanged', () => {
    const rnd = seededRandom(3);
    const wide = (n: number) => Array.from({ length: n }, () => 10 + rnd() * 10);
    expect(testMedianRatio(wide(8), wide(8), 'lower').verdict).toBe('unchanged');
  });

  it('gives an interval around the median of one sample', () => {
    const [lo, hi] = bootstrapMedianCi(noisy(2, 5, 50));
    expect(lo).toBeLessThan(2.01);
    expect(hi).toBeGreaterThan(1.99);
    expect(lo).toBeLessThanOrEqual(hi);
  });
});
