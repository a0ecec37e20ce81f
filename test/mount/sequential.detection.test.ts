import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { ReadAheadWindow } from '../../src/mount/sequential.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const make = (clock = new ManualClock()) => ({ clock, w: new ReadAheadWindow({ initialWindow: 4 * MiB, maxWindow: 32 * MiB, idleResetMs: 5000, clock }) });

describe('read-ahead window', () => {
  it('stays off until 1 MiB was read in one contiguous run, then switches on', () => {
    const { w } = make();
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => w.observe(i * 128 * KiB, 128 * KiB))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(w.observe(896 * KiB, 128 * KiB)).toBe(4 * MiB);
    expect(w.sequential).toBe(true);
  });

  it('doubles on each sequential read up to the maximum', () => {
    const { w } = make();
    const seen = [];
    for (let i = 0; i < 7; i++) seen.push(w.observe(i * 256 * KiB, 256 * KiB));
    expect(seen).toEqual([0, 0, 0, 4 * MiB, 8 * MiB, 16 * MiB, 32 * MiB]);
  });

  it('tolerates requests arriving slightly out of order', () => {
    const { w } = make();
    w.observe(0, 256 * KiB);
    w.observe(512 * KiB, 256 * KiB);
    w.observe(256 * KiB, 256 * KiB);
    expect(w.observe(768 * KiB, 256 * KiB)).toBe(4 * MiB);
  });

  it('a random jump switches read-ahead off and the window starts again from the initial size', () => {
    const { w } = make();
    for (let i = 0; i < 7; i++) w.observe(i * 256 * KiB, 256 * KiB);
    expect(w.window).toBe(32 * MiB);
    expect(w.observe(900 * MiB, 4 * KiB)).toBe(0);
    expect(w.resets).toBe(1);
    expect(w.observe(900 * MiB + 4 * KiB, 1024 * KiB)).toBe(4 * MiB);
  });

  it('random reads never switch read-ahead on, even when two land close together', () => {
    const { w } = make();
    for (const off of [7, 300, 12, 950, 81, 500].map((n) => n * MiB)) {
      expect(w.observe(off, 128 * KiB)).toBe(0);
      expect(w.observe(off + 128 * KiB, 128 * KiB)).toBe(0);
      expect(w.observe(off + 400 * KiB, 256 * KiB)).toBe(0);
    }
  });

  it('a pause longer than the idle limit forgets the streak', () => {
    const { w, clock } = make();
    expect(w.observe(0, 1024 * KiB)).toBe(4 * MiB);
    clock.advance(6000);
    expect(w.observe(1024 * KiB, 128 * KiB)).toBe(0);
    clock.advance(10);
    expect(w.observe(1152 * KiB, 896 * KiB)).toBe(4 * MiB);
  });

  it('rejects a maximum below the initial window', () => {
    expect(() => new ReadAheadWindow({ initialWindow: 8, maxWindow: 4, idleResetMs: 1, clock: new ManualClock() })).toThrow(/initialWindow/);
  });
});
