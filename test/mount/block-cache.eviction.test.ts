import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryBlockCache } from '../../src/mount/block-cache.js';
import { DiskBlockCache } from '../../src/mount/disk-blocks.js';

const id = (index: number, etag = '"e1"') => ({ key: 'data/file.bin', etag, index });

describe('memory block cache', () => {
  it('evicts the least recently used block once over its byte budget', () => {
    const evicted: number[] = [];
    const c = new MemoryBlockCache({ maxBytes: 300, clock: new ManualClock(), onEvict: (_k, bytes) => evicted.push(bytes) });
    c.set(id(0), Buffer.alloc(100));
    c.set(id(1), Buffer.alloc(100));
    c.set(id(2), Buffer.alloc(100));
    expect(c.get(id(0))).toBeDefined();
    c.set(id(3), Buffer.alloc(100));
    expect(c.has(id(1))).toBe(false);
    expect(c.has(id(0))).toBe(true);
    expect(evicted).toEqual([100]);
    expect(c.stats()).toMatchObject({ evictions: 1, bytes: 300, capacity: 300 });
  });

  it('a changed object (new ETag) misses', () => {
    const c = new MemoryBlockCache({ maxBytes: 1000 });
    c.set(id(0, '"old"'), Buffer.from('old'));
    expect(c.get(id(0, '"new"'))).toBeUndefined();
    expect(c.stats()).toMatchObject({ hits: 0, misses: 1 });
  });
});

describe('disk block cache', () => {
  it('round-trips blocks, compressing only what compresses, and evicts past its byte budget', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-blocks-'));
    try {
      const c = new DiskBlockCache({ dir, maxBytes: 250_000 });
      const text = Buffer.from('abcdefgh'.repeat(20_000));
      // Deterministic but incompressible: SHA-256 of a counter, block after block.
      const noise = Buffer.concat(Array.from({ length: 3125 }, (_, i) => createHash('sha256').update(String(i)).digest()));
      c.set(id(0), text);
      await c.drain();
      c.set(id(1), noise);
      await c.drain();
      expect(c.compressed).toBe(1);
      expect((await c.get(id(1)))?.equals(noise)).toBe(true);
      // Reading block 0 last makes block 1 the least recently used.
      expect((await c.get(id(0)))?.equals(text)).toBe(true);
      c.set(id(2), noise);
      await c.drain();
      c.set(id(3), noise);
      await c.drain();
      expect(c.bytes).toBeLessThanOrEqual(250_000);
      expect(await c.get(id(0))).toBeDefined();
      expect(await c.get(id(1))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a truncated block file is a miss, not a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-blocks-'));
    try {
      const c = new DiskBlockCache({ dir, maxBytes: 1e6 });
      c.set(id(0), Buffer.alloc(5000, 7));
      await c.drain();
      const sub = (await readdir(dir))[0];
      const name = (await readdir(join(dir, sub)))[0];
      await writeFile(join(dir, sub, name), Buffer.from([0x5b, 0, 1]));
      expect(await c.get(id(0))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
