import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { runDashboard } from '../../src/metrics/dashboard.js';
import { dashboardView } from '../../src/metrics/dashboard-model.js';
import { Metrics } from '../../src/metrics/metrics.js';
import type { LiveSnapshot } from '../../src/metrics/live.js';
import { ManualClock } from '../../src/util/clock.js';

function snapshots(): [LiveSnapshot, LiveSnapshot] {
  const clock = new ManualClock(0);
  const m = new Metrics(clock);
  m.gauge('inFlight', () => 4);
  m.gauge('queue.s3:eu-west-1', () => 12);
  m.gauge('queue.ec2:eu-west-1', () => 2);
  m.recordCache({ tier: 'memory', outcome: 'hit', key: 'k' });
  m.recordCache({ tier: 'memory', outcome: 'miss', key: 'k' });
  clock.advance(1000);
  const a = { ...m.snapshot(), title: 'mount s3://bucket /mnt/b' };
  for (let i = 1; i <= 50; i++) m.recordRequest({ lane: 's3', operation: 's3:GetObject', outcome: 'ok', ms: i });
  clock.advance(2000);
  return [a, { ...m.snapshot(), title: 'mount s3://bucket /mnt/b' }];
}

/** A fake TTY: ink writes frames to it and reads keys from it. */
function tty() {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 100, rows: 40 });
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
  let frames = '';
  stdout.on('data', (c) => (frames += c.toString()));
  return { stdout, stdin, frames: () => frames };
}

describe('perf dashboard', () => {
  it('computes requests/s from consecutive snapshots of the same process', () => {
    const [a, b] = snapshots();
    const v = dashboardView(a, b, [{ t: 1, command: 's3 ls', argv: [], ms: 30, exitCode: 0 }]);
    expect(v).toMatchObject({ title: 'mount s3://bucket /mnt/b', requestsPerS: 25, totalRequests: 50, inFlight: 4, hitRatio: 0.5, uptimeS: 3 });
    expect(v.queues).toEqual([['s3:eu-west-1', 12], ['ec2:eu-west-1', 2]]);
    expect(v.p50Ms).toBeCloseTo(25, -0.5);
    expect(v.recentCommands).toEqual([['s3 ls', 1, 30]]);
    expect(dashboardView(undefined, undefined, []).title).toBe('no live strata process');
  });

  it('draws the live view in place and quits on q', async () => {
    const [a, b] = snapshots();
    const seq = [a, b];
    const t = tty();
    let ticks = 0;
    const done = runDashboard(
      { live: async () => seq[Math.min(ticks++, 1)], usage: async () => [] },
      { stdin: t.stdin, stdout: t.stdout, intervalMs: 20 },
    );
    await expect.poll(() => t.frames(), { interval: 20, timeout: 5000 }).toContain('requests/s      25.0');
    const text = t.frames();
    expect(text).toContain('strata perf · mount s3://bucket /mnt/b');
    expect(text).toContain('in flight       4');
    expect(text).toContain('hit ratio       50.0%');
    expect(text).toMatch(/s3:eu-west-1 +12/);
    t.stdin.write('q');
    await done;
  });

  it('stops when the command is interrupted', async () => {
    const t = tty();
    const ac = new AbortController();
    const done = runDashboard({ live: async () => undefined, usage: async () => [] }, { stdin: t.stdin, stdout: t.stdout, signal: ac.signal });
    await expect.poll(() => t.frames(), { interval: 20, timeout: 5000 }).toContain('no live strata process');
    ac.abort();
    await done;
  });
});
