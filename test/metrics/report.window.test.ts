import { describe, expect, it } from 'vitest';
import { findRegressions, perfReport } from '../../src/metrics/report.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import type { UsageEvent } from '../../src/metrics/usage-log.js';
import { seededRandom } from '../../src/util/random.js';

const hist = (values: number[]) => {
  const h = new LatencyHistogram();
  values.forEach((v) => h.record(v));
  return h.encode();
};

describe('perf report', () => {
  it('gives percentiles, counts, errors and hit ratios per command and per upstream operation', () => {
    const events: UsageEvent[] = [
      { t: 1, command: 'ec2 instances', argv: [], ms: 100, exitCode: 0, answeredBy: 'upstream', operations: { 'ec2:DescribeInstances': { n: 2, errors: 1, h: hist([80, 90]) } }, cache: { lookups: 1, hits: 0 } },
      { t: 2, command: 'ec2 instances', argv: [], ms: 10, exitCode: 0, answeredBy: 'memory', cache: { lookups: 1, hits: 1 } },
      { t: 3, command: 'ec2 instances', argv: [], ms: 12, exitCode: 1, answeredBy: 'disk', cache: { lookups: 2, hits: 2 } },
      { t: 4, command: 'count', argv: [], ms: 5, exitCode: 0 },
    ];
    const rows = perfReport(events);
    expect(rows.map((r) => r.operation)).toEqual(['cmd:ec2 instances', 'ec2:DescribeInstances', 'cmd:count']);
    expect(rows[0]).toMatchObject({ count: 3, errors: 1, maxMs: 100, hitRatio: 0.75 });
    expect(rows[0].p50Ms).toBeCloseTo(12, 0);
    expect(rows[1]).toMatchObject({ count: 2, errors: 1, hitRatio: null, maxMs: 90 });
    expect(rows[2]).toMatchObject({ count: 1, p99Ms: 5, hitRatio: null });
  });

  it('flags an operation that got significantly slower in the window than before it', () => {
    const rnd = seededRandom(9);
    const jitter = (c: number) => c * (0.95 + rnd() * 0.1);
    const events: UsageEvent[] = [];
    for (let i = 0; i < 40; i++) {
      const recent = i >= 30;
      events.push({
        t: i * 1000, command: 'ec2 instances', argv: [], ms: jitter(20), exitCode: 0,
        operations: {
          'ec2:DescribeInstances': { n: 1, errors: 0, h: hist([jitter(recent ? 60 : 40)]) },
          's3:ListBuckets': { n: 1, errors: 0, h: hist([jitter(30)]) },
        },
      });
    }
    const rows = findRegressions(events, 30_000);
    expect(rows.map((r) => r.operation)).toEqual(['ec2:DescribeInstances']);
    expect(rows[0]).toMatchObject({ recentCount: 10, historyCount: 30 });
    expect(rows[0].ratio).toBeCloseTo(1.5, 1);
    expect(rows[0].ciLow).toBeGreaterThan(1);
  });

  it('does not judge operations with too few samples on either side', () => {
    const events: UsageEvent[] = [1, 2, 3].map((i) => ({ t: i, command: 'x', argv: [], ms: i === 3 ? 1000 : 1, exitCode: 0 }));
    expect(findRegressions(events, 3)).toEqual([]);
  });
});
