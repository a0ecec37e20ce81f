import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { seededRandom } from '../../src/util/random.js';

describe('latency histogram', () => {
  it('answers percentiles within 1% of the exact order statistic', () => {
    const rnd = seededRandom(42);
    const xs = Array.from({ length: 20_000 }, () => Math.exp(rnd() * 8)); // 1 ms .. 3 s, log-spread
    const h = new LatencyHistogram();
    xs.forEach((x) => h.record(x));
    const sorted = [...xs].sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = sorted[Math.ceil(q * xs.length) - 1];
      expect(Math.abs(h.percentile(q) - exact) / exact).toBeLessThan(0.01);
    }
    expect(h.count).toBe(20_000);
  });

  it('never reports a percentile outside the recorded min and max', () => {
    const h = new LatencyHistogram();
    h.record(5);
    expect(h.percentile(0)).toBe(5);
    expect(h.percentile(1)).toBe(5);
    expect(new LatencyHistogram().percentile(0.5)).toBeNaN();
  });

  it('answers from buckets that appear after an earlier percentile, recorded or merged', () => {
    // new buckets below the old ones: an answer from a stale bucket list would be the max, 100
    const h = new LatencyHistogram();
    for (let i = 0; i < 10; i++) h.record(100);
    expect(h.percentile(0.99)).toBeCloseTo(100, 0);
    for (let i = 0; i < 90; i++) h.record(1);
    expect(h.percentile(0.5)).toBeCloseTo(1, 1);
    const other = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) other.record(0.5);
    h.merge(other);
    expect(h.percentile(0.5)).toBeCloseTo(0.5, 1);
  });

  it('merges histograms from other processes through their encoded form', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) a.record(i);
    for (let i = 101; i <= 200; i++) b.record(i);
    const merged = LatencyHistogram.decode(JSON.parse(JSON.stringify(a.encode()))).merge(b.encode());
    expect(merged.count).toBe(200);
    expect(merged.minMs).toBe(1);
    expect(merged.maxMs).toBe(200);
    expect(merged.percentile(0.5)).toBeCloseTo(100, -0.5);
    expect(merged.meanMs).toBeCloseTo(100.5, 5);
  });
});
