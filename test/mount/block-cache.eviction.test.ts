import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryBlockCache } from '../../src/mount/block-cache.js';
import { DiskBlockCache } from '../../src/mount/disk-blocks.js';
import { BlockPool, type PooledBlock } from '../../src/mount/block-pool.js';

const id = (index: number, etag = '"e1"') => ({ key: 'data/file.bin', etag, index });
const pool = new BlockPool({ slabSize: 256 * 1024, maxFree: 2 });
/** A pooled block holding `bytes`, owned by the caller. */
function blockOf(bytes: Buffer): PooledBlock {
  const b = pool.acquire(bytes.length);
  bytes.copy(b.data);
  return b;
}
/** Hands `bytes` to `store` and drops the caller's reference, as the reader does. */
function put(store: { set(i: ReturnType<typeof id>, b: PooledBlock): void }, i: ReturnType<typeof id>, bytes: Buffer): void {
  const b = blockOf(bytes);
  store.set(i, b);
  b.release();
}

describe('block pool', () => {
  it('reuses a buffer only once every holder has released it', () => {
    const p = new BlockPool({ slabSize: 1024, maxFree: 1 });
    const a = p.acquire(1000);
    a.retain();
    a.release();
    const b = p.acquire(1000);
    expect(b.data.buffer).not.toBe(a.data.buffer);
    a.release();
    const c = p.acquire(10);
    expect(c.data.buffer).toBe(a.data.buffer);
    expect(c.length).toBe(10);
    expect(p.stats()).toEqual({ allocated: 2, reused: 1, free: 0 });
    expect(() => a.release()).toThrow(/released/);
  });

  it('keeps no more free buffers than it was told', () => {
    const p = new BlockPool({ slabSize: 64, maxFree: 1 });
    const blocks = [p.acquire(64), p.acquire(64), p.acquire(64)];
    for (const b of blocks) b.release();
    expect(p.stats().free).toBe(1);
  });

  it('an evicted block returns to the pool, a block still read from does not', () => {
    const p = new BlockPool({ slabSize: 100, maxFree: 4 });
    const c = new MemoryBlockCache({ maxBytes: 200 });
    const held = p.acquire(100);
    c.set(id(0), held); // the reader keeps its reference to block 0 (a read in progress)
    const other = p.acquire(100);
    c.set(id(1), other);
    other.release();
    const third = p.acquire(100);
    c.set(id(2), third);
    third.release();
    // block 0 was evicted but is still held: not free; releasing it frees it
    expect(p.stats().free).toBe(0);
    held.release();
    expect(p.stats().free).toBe(1);
  });
});

describe('memory block cache', () => {
  it('evicts the least recently used block once over its byte budget', () => {
    const evicted: number[] = [];
    const c = new MemoryBlockCache({ maxBytes: 300, clock: new ManualClock(), onEvict: (_k, bytes) => evicted.push(bytes) });
    put(c, id(0), Buffer.alloc(100));
    put(c, id(1), Buffer.alloc(100));
    put(c, id(2), Buffer.alloc(100));
    expect(c.get(id(0))).toBeDefined();
    put(c, id(3), Buffer.alloc(100));
    expect(c.has(id(1))).toBe(false);
    expect(c.has(id(0))).toBe(true);
    expect(evicted).toEqual([100]);
    expect(c.stats()).toMatchObject({ evictions: 1, bytes: 300, capacity: 300 });
  });

  it('a changed object (new ETag) misses', () => {
    const c = new MemoryBlockCache({ maxBytes: 1000 });
    put(c, id(0, '"old"'), Buffer.from('old'));
    expect(c.get(id(0, '"new"'))).toBeUndefined();
    expect(c.stats()).toMatchObject({ hits: 0, misses: 1 });
  });
});

describe('disk block cache', () => {
  it('round-trips blocks, compressing only what compresses, and evicts past its byte budget', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-blocks-'));
    try {
      const c = new DiskBlockCache({ dir, maxBytes: 250_000, pool });
      const text = Buffer.from('abcdefgh'.repeat(20_000));
      // Deterministic but incompressible: SHA-256 of a counter, block after block.
      const noise = Buffer.concat(Array.from({ length: 3125 }, (_, i) => createHash('sha256').update(String(i)).digest()));
      put(c, id(0), text);
      await c.drain();
      put(c, id(1), noise);
      await c.drain();
      expect(c.compressed).toBe(1);
      expect((await c.get(id(1)))?.data.equals(noise)).toBe(true);
      // Reading block 0 last makes block 1 the least recently used.
      expect((await c.get(id(0)))?.data.equals(text)).toBe(true);
      put(c, id(2), noise);
      await c.drain();
      put(c, id(3), noise);
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
      const c = new DiskBlockCache({ dir, maxBytes: 1e6, pool });
      put(c, id(0), Buffer.alloc(5000, 7));
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

describe('disk block cache admission', () => {
  it('skips the disk copy while its owner refuses, and writes once it admits again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-blocks-'));
    try {
      let busy = true;
      const c = new DiskBlockCache({ dir, maxBytes: 1e6, pool, admit: () => !busy });
      put(c, id(0), Buffer.alloc(5000, 1));
      await c.drain();
      expect(c.skipped).toBe(1);
      expect(await c.get(id(0))).toBeUndefined();
      busy = false;
      put(c, id(0), Buffer.alloc(5000, 1));
      await c.drain();
      const got = await c.get(id(0));
      expect(got?.data.equals(Buffer.alloc(5000, 1))).toBe(true);
      expect(c.writes).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
