// The disk tier's byte bound with many writers on one directory: each sweeps only after writing
// an eighth of the bound, so interleaved writers overshoot while they run; the closing sweep of
// each writer (the engine's close) brings the directory back within the bound.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskStore } from '../../src/cache/disk.js';
import { tempDir } from '../engine/fixtures/config.js';

const MAX = 32 * 1024;
const page = JSON.stringify(['x'.repeat(3_000)]); // ~3 KB entries, stored as they are

function stores(dir: string, n: number, now: () => number) {
  return Array.from({ length: n }, () => {
    const s = new DiskStore({ dir, maxBytes: MAX, now });
    s.init();
    return s;
  });
}

const total = (s: DiskStore) => [...s.list()].reduce((n, e) => n + e.bytes, 0);

describe('disk byte bound with eight writers', () => {
  it('interleaved writers overshoot while running; their closing sweeps restore the bound', () => {
    const dir = tempDir();
    const now = 1_700_000_000_000;
    const writers = stores(dir, 8, () => now);
    let i = 0;
    for (let round = 0; round < 3; round++) {
      for (const s of writers) {
        const w = s.writer(`k${i++}`, now)!;
        w.append(page);
        w.commit(1);
      }
    }
    expect(total(writers[0])).toBeGreaterThan(MAX);
    for (const s of writers) s.sweepIfWritten();
    expect(total(writers[0])).toBeLessThanOrEqual(0.9 * MAX);
  });

  it('a writer that stays well under the bound does not list the folder as it closes', () => {
    const dir = tempDir();
    const now = 1_700_000_000_000;
    let listings = 0;
    const counting = { ...fs, readdirSync: ((...a: Parameters<typeof fs.readdirSync>) => (listings++, fs.readdirSync(...a))) as typeof fs.readdirSync };
    const [first] = stores(dir, 1, () => now);
    const w0 = first.writer('k0', now)!;
    w0.append(page);
    w0.commit(1);
    first.sweep(); // a sweep has recorded what the folder holds
    const store = new DiskStore({ dir, maxBytes: MAX, now: () => now, fs: counting });
    store.init();
    const w = store.writer('k1', now)!;
    w.append(page);
    w.commit(1);
    listings = 0;
    store.sweepIfWritten();
    expect(listings).toBe(0);
  });

  it('a store that only read does not sweep as it closes', () => {
    const dir = tempDir();
    let now = 1_700_000_000_000;
    const [writer, reader] = stores(dir, 2, () => now);
    const w = writer.writer('k', now)!;
    w.append(page);
    w.commit(1);
    writer.sweepIfWritten();
    const swept = path.join(writer.dir, '.swept');
    const before = fs.readFileSync(swept, 'utf8');
    now += 1_000;
    expect(reader.read('k')).toBeDefined();
    reader.sweepIfWritten();
    writer.sweepIfWritten(); // nothing written since its last sweep
    expect(fs.readFileSync(swept, 'utf8')).toBe(before);
  });
});
