import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { IoScheduler, type IoClass } from '../../src/mount/io-scheduler.js';

/** A job that finishes when told, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return { run: () => (log.push(name), done), open };
}

const tick = () => new Promise((r) => setImmediate(r));

function make(over: Partial<ConstructorParameters<typeof IoScheduler>[0]> = {}) {
  const clock = new ManualClock();
  const timers: Array<() => void> = [];
  const io = new IoScheduler({ maxInFlight: 1, maxBufferedBytes: 100, agingMs: 1000, clock, setTimer: (fn) => timers.push(fn), ...over });
  return { clock, io, timers };
}

describe('mount I/O scheduler', () => {
  it('runs foreground reads before read-ahead before warming', async () => {
    const { io } = make();
    const log: string[] = [];
    const first = gate(log, 'first');
    const p0 = io.run(first.run, { cls: 'foreground', bytes: 1 });
    const jobs: Array<[string, IoClass]> = [['warm', 'warming'], ['ahead', 'readahead'], ['fg', 'foreground']];
    const ps = jobs.map(([name, cls]) => io.run(async () => void log.push(name), { cls, bytes: 1 }));
    expect(io.depths()).toEqual({ foreground: 1, readahead: 1, warming: 1 });
    first.open();
    await Promise.all([p0, ...ps]);
    expect(log).toEqual(['first', 'fg', 'ahead', 'warm']);
  });

  it('ages waiting work so warming overtakes fresh foreground reads after two aging periods', async () => {
    const { io, clock } = make();
    const log: string[] = [];
    const first = gate(log, 'first');
    const p0 = io.run(first.run, { cls: 'foreground', bytes: 1 });
    const warm = io.run(async () => void log.push('warm'), { cls: 'warming', bytes: 1 });
    clock.advance(2001);
    const fg = io.run(async () => void log.push('fg'), { cls: 'foreground', bytes: 1 });
    expect(io.levels().map((l) => Math.round(l.level * 1000) / 1000)).toEqual([2.001, 2]);
    first.open();
    await Promise.all([p0, warm, fg]);
    expect(log).toEqual(['first', 'warm', 'fg']);
  });

  it('drops a queued job at its deadline', async () => {
    const { io, clock, timers } = make();
    const log: string[] = [];
    const first = gate(log, 'first');
    const p0 = io.run(first.run, { cls: 'foreground', bytes: 1 });
    const late = io.run(async () => void log.push('late'), { cls: 'readahead', bytes: 1, deadline: clock.monotonic() + 500 });
    expect(timers).toHaveLength(1);
    clock.advance(501);
    timers.shift()!();
    await expect(late).rejects.toThrow(/deadline/);
    expect(io.expired.readahead).toBe(1);
    first.open();
    await p0;
    expect(log).toEqual(['first']);
  });

  it('caps requests in flight', async () => {
    const { io } = make({ maxInFlight: 2 });
    const log: string[] = [];
    const gates = ['a', 'b', 'c'].map((n) => gate(log, n));
    const ps = gates.map((g) => io.run(g.run, { cls: 'foreground', bytes: 1 }));
    await tick();
    expect(log).toEqual(['a', 'b']);
    expect(io.inFlight).toBe(2);
    gates[0].open();
    await ps[0];
    await tick();
    expect(log).toEqual(['a', 'b', 'c']);
    gates[1].open();
    gates[2].open();
    await Promise.all(ps);
  });

  it('caps buffered bytes: a job waits until running ones release theirs, yet one oversized job may run alone', async () => {
    const { io } = make({ maxInFlight: 10, maxBufferedBytes: 100 });
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const pa = io.run(a.run, { cls: 'foreground', bytes: 60 });
    const pb = io.run(b.run, { cls: 'foreground', bytes: 60 });
    await tick();
    expect(log).toEqual(['a']);
    expect(io.bufferedBytes).toBe(60);
    a.open();
    await pa;
    await tick();
    expect(log).toEqual(['a', 'b']);
    b.open();
    await pb;
    await io.run(async () => void log.push('huge'), { cls: 'warming', bytes: 500 });
    expect(log).toEqual(['a', 'b', 'huge']);
  });

  it('rejects options out of range', () => {
    expect(() => make({ maxInFlight: 0 })).toThrow('Expected `maxInFlight` to be >= 1, got `0`');
  });
});
