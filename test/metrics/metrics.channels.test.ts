import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/metrics.js';
import { publishCache, publishRequest } from '../../src/metrics/channels.js';
import { renderStats } from '../../src/metrics/stats-render.js';
import { ManualClock } from '../../src/util/clock.js';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('metrics fed by the channels', () => {
  it('counts requests by outcome, bytes, and keeps a histogram per operation', () => {
    const clock = new ManualClock(1000);
    const m = new Metrics(clock);
    stop = m.subscribe();
    for (let i = 1; i <= 10; i++) publishRequest({ lane: 'ec2:eu-west-1', operation: 'ec2:DescribeInstances', outcome: 'ok', ms: i * 10, bytes: 100 });
    publishRequest({ lane: 'ec2:eu-west-1', operation: 'ec2:DescribeInstances', outcome: 'throttled', ms: 5 });
    publishRequest({ lane: 'ec2:eu-west-1', operation: 'ec2:DescribeInstances', outcome: 'retry', ms: 5 });
    publishRequest({ lane: 's3:eu-west-1', operation: 's3:ListObjectsV2', outcome: 'error', ms: 50 });
    publishRequest({ lane: 's3:eu-west-1', operation: 's3:ListObjectsV2', outcome: 'cancelled', ms: 1 });
    clock.advance(500);
    const s = m.snapshot();
    expect(s.requests).toEqual({ total: 14, ok: 10, errors: 1, retries: 1, throttles: 1, cancelled: 1, bytes: 1000 });
    expect(s.operations['ec2:DescribeInstances']).toMatchObject({ total: 12, ok: 10, maxMs: 100 });
    // 12 samples (two 5 ms attempts, then 10..100): the 6th smallest is 40 ms
    expect(s.operations['ec2:DescribeInstances'].p50Ms).toBeCloseTo(40, -0.5);
    expect(s.operations['s3:ListObjectsV2'].histogram.n).toBe(1);
    expect(s).toMatchObject({ startedAt: 1000, at: 1500, pid: process.pid });
  });

  it('counts cache outcomes per tier and a hit ratio over first-tier lookups', () => {
    const m = new Metrics(new ManualClock());
    stop = m.subscribe();
    const key = 'aws:default:eu-west-1:ec2:DescribeInstances:abc';
    publishCache({ tier: 'memory', outcome: 'hit', key });
    publishCache({ tier: 'memory', outcome: 'miss', key });
    publishCache({ tier: 'disk', outcome: 'hit', key });
    publishCache({ tier: 'memory', outcome: 'miss', key });
    publishCache({ tier: 'disk', outcome: 'miss', key });
    publishCache({ tier: 'memory', outcome: 'set', key });
    const s = m.snapshot();
    expect(s.cache).toEqual({ memory: { hit: 1, miss: 2, set: 1 }, disk: { hit: 1, miss: 1 } });
    expect(s.hitRatio).toBeCloseTo(2 / 3, 10);
  });

  it('reads gauges at snapshot time and stops counting after unsubscribe', () => {
    const m = new Metrics(new ManualClock());
    let depth = 3;
    m.gauge('queue.ec2:eu-west-1', () => depth);
    const off = m.subscribe();
    publishRequest({ lane: 'l', operation: 'op', outcome: 'ok', ms: 1 });
    off();
    publishRequest({ lane: 'l', operation: 'op', outcome: 'ok', ms: 1 });
    depth = 7;
    expect(m.snapshot()).toMatchObject({ requests: { total: 1 }, gauges: { 'queue.ec2:eu-west-1': 7 }, hitRatio: null });
  });

  it('renders a --stats summary for stderr', () => {
    const m = new Metrics(new ManualClock());
    m.recordRequest({ lane: 'l', operation: 'ec2:DescribeVpcs', outcome: 'ok', ms: 4, bytes: 2048 });
    m.recordCache({ tier: 'memory', outcome: 'miss', key: 'k' });
    m.recordCache({ tier: 'disk', outcome: 'hit', key: 'k' });
    const text = renderStats(m.snapshot(), 123);
    expect(text.split('\n')[0]).toBe('time 123 ms · requests 1 (0 errors, 0 retries, 0 throttled) · 2.0 KiB');
    expect(text).toContain('cache memory  hits 0  misses 1  hit ratio   0.0%  evictions 0\ncache disk    hits 1  misses 0  hit ratio 100.0%  evictions 0\ncache hit ratio 100.0% of 1 lookup\n');
    expect(text).toMatch(/ec2:DescribeVpcs +1 req {2}p50 4\.\d\d ms/);
  });
});
