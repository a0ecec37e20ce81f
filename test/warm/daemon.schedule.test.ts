import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Rec } from '../../src/cli/types.js';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import { runDaemon, restartDelay, type DaemonOptions } from '../../src/warm/daemon.js';
import type { WarmOnceOptions } from '../../src/warm/warmer.js';
import { parseSchedule } from '../../src/warm/schedule.js';
import { crontabLine, systemdUnits } from '../../src/warm/system-units.js';
import { Resources } from '../../src/util/resources.js';

const summary = { warmed: 1, skippedFresh: 0, failed: 0, requests: 1, ms: 1 };

function daemon(over: Partial<DaemonOptions>) {
  const stop = new AbortController();
  const log: string[] = [];
  const resources = new Resources();
  const dir = mkdtempSync(join(tmpdir(), 'strata-daemon-'));
  const config = defaultConfig({}, dir);
  config.cache.dir = join(dir, 'cache');
  const opts: DaemonOptions = {
    config, every: '1m', source: { usage: {} }, sourceFromFlag: false, env: {}, cwd: dir,
    warn: (m) => log.push(`warn: ${m}`), log: (l) => log.push(l), stop: stop.signal, resources, live: false, deadlineMs: 1000, ...over,
  };
  const records: Rec[] = [];
  const done = (async () => {
    for await (const r of runDaemon(opts)) records.push(r);
  })();
  return { stop, log, records, done, resources, dir };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the warm daemon', () => {
  it('a crashing round is logged and restarted with doubling backoff, then the schedule resumes', async () => {
    vi.useFakeTimers({ now: 0 });
    const calls: number[] = [];
    let crashes = 3;
    const d = daemon({
      every: '10m',
      warm: async () => {
        calls.push(Date.now());
        if (crashes-- > 0) throw new Error('usage log unreadable');
        return { summary, results: [] };
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000); // 1st restart after 1 s
    await vi.advanceTimersByTimeAsync(2000); // 2nd after 2 s
    await vi.advanceTimersByTimeAsync(3999);
    expect(calls).toEqual([0, 1000, 3000]);
    await vi.advanceTimersByTimeAsync(1); // 3rd after 4 s: succeeds
    expect(calls).toEqual([0, 1000, 3000, 7000]);
    expect(d.log.filter((l) => l.includes('round failed'))).toEqual([
      'strata: warm: round failed (usage log unreadable); restarting in 1s (failure 1 in a row)',
      'strata: warm: round failed (usage log unreadable); restarting in 2s (failure 2 in a row)',
      'strata: warm: round failed (usage log unreadable); restarting in 4s (failure 3 in a row)',
    ]);
    expect(d.records).toEqual([{ round: 1, at: new Date(7000).toISOString(), ...summary, nextAt: new Date(607_000).toISOString() }]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls.at(-1)).toBe(607_000);
    d.stop.abort(new Error('terminated'));
    await vi.advanceTimersByTimeAsync(0);
    await d.done;
    expect(d.resources.open()).toEqual([]);
  });

  it('the backoff is capped by the schedule interval', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => restartDelay(n, { baseMs: 1000 }, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(restartDelay(20, { baseMs: 1000 }, 3_600_000)).toBe(300_000);
  });

  it('a round skipped because another warmer holds the lock is not a crash', async () => {
    vi.useFakeTimers({ now: 0 });
    const { StrataError } = await import('../../src/errors.js');
    const d = daemon({ every: '1m', warm: async () => Promise.reject(new StrataError('WARM_LOCKED', 'another cache warm is running on x (pid 1 on h)')) });
    await vi.advanceTimersByTimeAsync(0);
    expect(d.log).toEqual(['strata: warm: round skipped: another cache warm is running on x (pid 1 on h)']);
    d.stop.abort(new Error('interrupted'));
    await vi.advanceTimersByTimeAsync(0);
    await d.done;
  });

  it('on stop, lets the round in flight finish within the deadline, then releases everything', async () => {
    let finish!: () => void;
    const d = daemon({ warm: (o: WarmOnceOptions) => new Promise((resolve) => { finish = () => resolve({ summary, results: [] }); o.signal.addEventListener('abort', () => resolve({ summary: { ...summary, failed: 1 }, results: [] })); }) });
    await vi.waitFor(() => expect(finish).toBeDefined());
    d.stop.abort(new Error('terminated'));
    expect(d.resources.stopping).toBe(true);
    finish();
    await d.done;
    expect(d.records).toEqual([expect.objectContaining({ round: 1, failed: 0 })]);
    expect(d.resources.open()).toEqual([]);
  });

  it('hot reload: a valid edit changes the TTL rules, limits and schedule of the next round; an invalid one is rejected', async () => {
    const seen: Config[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'strata-reload-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'warm:\n  every: 1h\n');
    const d = daemon({
      every: '1h',
      configFile: { path: file, load: { file, env: {}, cwd: dir, home: dir } },
      warm: async (o) => {
        seen.push(o.config);
        return { summary, results: [] };
      },
    });
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 2000 });
    writeFileSync(file, 'warm:\n  every: 1s\ncache:\n  ttl:\n    - { match: "aws:*", ttl: 90s }\nscheduler:\n  concurrency: 3\n');
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    expect(seen[1].cache.ttl).toEqual([{ match: 'aws:*', ttl: 90_000 }]);
    expect(seen[1].scheduler.concurrency).toBe(3);
    expect(d.log).toContain('strata: warm: config reloaded (every 1s, 1 TTL rules, concurrency 3, rate 0)');

    writeFileSync(file, 'warm:\n  every: 1s\nscheduler:\n  concurrency: 0\n');
    await vi.waitFor(() => expect(d.log.some((l) => l.includes('config edit rejected') && l.includes('scheduler.concurrency'))).toBe(true), { timeout: 5000 });
    writeFileSync(file, 'warm:\n  every: "99 * * * *"\n');
    await vi.waitFor(() => expect(d.log.some((l) => l.includes('config edit rejected') && l.includes('not a valid cron expression'))).toBe(true), { timeout: 5000 });
    const before = seen.length;
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(before), { timeout: 5000 });
    expect(seen.at(-1)!.scheduler.concurrency).toBe(3);
    d.stop.abort(new Error('terminated'));
    await d.done;
    expect(d.resources.open()).toEqual([]);
  }, 20_000);
});

describe('schedules', () => {
  it('takes durations and cron expressions, and rejects anything else with a usage error', async () => {
    expect((await parseSchedule('15m')).next(0)).toBe(900_000);
    const cron = await parseSchedule('*/15 * * * *');
    expect(cron.kind).toBe('cron');
    expect(cron.intervalMs).toBe(900_000);
    for (const bad of ['61 * * * *', 'often', '500ms', '* * *']) {
      const err = await parseSchedule(bad).catch((e) => e);
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain(`'${bad}'`);
    }
  });

  it('prints a crontab line and systemd units for the same schedule', async () => {
    expect(crontabLine(await parseSchedule('15m'), ['--list', '/w.txt'])).toMatch(/^\*\/15 \* \* \* \* \S+node\S* \S+strata\.js cache warm --quiet --no-progress --list \/w\.txt >\/dev\/null 2>&1$/);
    expect(crontabLine(await parseSchedule('6h'), [])).toMatch(/^0 \*\/6 \* \* \* /);
    expect(() => crontabLine({ text: '7m', kind: 'interval', intervalMs: 420_000, next: (t) => t }, [])).toThrow(/exactly every 7m/);
    const units = systemdUnits(await parseSchedule('0 3 * * 1-5'), [], { STRATA_CACHE_DIR: '/c', STRATA_REDIS_URL: 'redis://u:secret@h' });
    expect(units).toContain('OnCalendar=Mon..Fri *-*-* 3:0:00');
    expect(units).toContain('Environment=STRATA_CACHE_DIR=/c');
    expect(units).not.toContain('secret');
    expect(systemdUnits(await parseSchedule('15m'), [], {})).toContain('OnUnitActiveSec=900s');
  });

  it("quotes words for cron (% escaped) and for systemd (double quotes, % and $ doubled)", async () => {
    const extra = ['--endpoint-url', 'http://localhost:4566/%41b$HOME', '--profile', "o'brien"];
    const cron = crontabLine(await parseSchedule('15m'), extra);
    expect(cron).toContain(`--endpoint-url 'http://localhost:4566/\\%41b$HOME' --profile 'o'\\''brien' >/dev/null 2>&1`);
    expect(cron.replace(/\\%/g, '')).not.toContain('%');
    const units = systemdUnits(await parseSchedule('15m'), extra, { STRATA_CACHE_DIR: '/my cache/%x' });
    expect(units).toContain(`--endpoint-url "http://localhost:4566/%%41b$$HOME" --profile "o'brien"`);
    expect(units).toContain('Environment="STRATA_CACHE_DIR=/my cache/%%x"');
  });
});
