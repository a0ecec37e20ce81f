// The read path: an object is read in fixed blocks. A block comes from L1 (memory), else L2
// (disk), else one ranged GET queued on the I/O scheduler at the class of the work that wants it.
// Concurrent wants of one block share one fetch. Read-ahead fetches the blocks under the open
// file's window (sequential.ts) as `readahead` work; warming fetches whole files as `warming`
// work into L2 only, so it never pushes hot blocks out of memory.
//
// Prefetch accuracy is tracked per block: a block brought in by read-ahead is "prefetched" until
// a foreground read uses it (bytesUsed) or L1 evicts it unused (bytesWasted).
//
// The disk copy (L2) is written only where it pays. Measured: writing every block of a cold
// sequential stream to disk halved its speed (the writes and fsyncs compete for the same two
// cores and the page cache), while a stream re-read soon is served by the kernel's page cache
// anyway. So: warming always writes (that is its purpose); a block a reader waited for (random
// access) is offered to L2; a read-ahead block only when it is fetched a second time in this
// mount (it was evicted and is wanted again: a re-read working set larger than memory).
//
// Blocks are pooled buffers (block-pool.ts). A fetch holds its block until its waiters have taken
// their own references (released on the next turn of the event loop); a read that must wait
// holds the blocks it already found in L1, so none is recycled under it.

import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/clock.js';
import { blockKey, MemoryBlockCache, type BlockId } from './block-cache.js';
import type { BlockPool, PooledBlock } from './block-pool.js';
import type { DiskBlockCache } from './disk-blocks.js';
import type { IoClass, IoScheduler } from './io-scheduler.js';
import type { ObjectStore } from './object-store.js';
import type { MountStats } from './stats.js';

export interface ObjectVersion {
  key: string;
  etag: string;
  size: number;
}

/** How long a queued fetch may wait, per class: a late prefetch is dropped, a late read fails. */
const DEADLINE_MS: Record<IoClass, number> = { foreground: 120_000, readahead: 10_000, warming: 300_000 };

const PRIORITY = { foreground: 'interactive', readahead: 'readahead', warming: 'warming' } as const;

/** Block identities remembered for the second-fetch rule (about 100 bytes each). */
const FETCHED_REMEMBERED = 16_384;

export class BlockReader {
  readonly blockSize: number;
  readonly l1: MemoryBlockCache;
  readonly #l2: DiskBlockCache;
  readonly #store: ObjectStore;
  readonly #io: IoScheduler;
  readonly #stats: MountStats;
  readonly #clock: Clock;
  readonly #pool: BlockPool;
  readonly #inflight = new Map<string, Promise<PooledBlock>>();
  /** Blocks fetched from S3 before: a read-ahead block fetched again is worth a disk copy. */
  readonly #fetchedBefore = new LRUCache<string, true>({ max: FETCHED_REMEMBERED });
  /** Prefetched blocks not yet read, with their sizes. */
  readonly #prefetched = new Map<string, number>();
  #prefetchedBytes = 0;
  /** Unread prefetched bytes stay under half of L1, so read-ahead never evicts its own blocks. */
  readonly #prefetchBudget: number;

  constructor(opts: { store: ObjectStore; l2: DiskBlockCache; io: IoScheduler; stats: MountStats; clock: Clock; blockSize: number; cacheBytes: number; pool: BlockPool }) {
    this.blockSize = opts.blockSize;
    this.#pool = opts.pool;
    this.#store = opts.store;
    this.#l2 = opts.l2;
    this.#io = opts.io;
    this.#stats = opts.stats;
    this.#clock = opts.clock;
    this.#prefetchBudget = opts.cacheBytes / 2;
    this.l1 = new MemoryBlockCache({
      maxBytes: opts.cacheBytes,
      clock: opts.clock,
      onEvict: (key, bytes) => {
        if (this.#forget(key)) this.#stats.prefetch.bytesWasted += bytes;
      },
    });
  }

  /**
   * Copies bytes [pos, pos + len) of `obj` into `out`; returns the count. Synchronous (a number)
   * when every block is in memory, so a warm read costs no promise; otherwise a promise.
   * `window` is the read-ahead window to prefetch past the end of this read (0: none).
   */
  read(obj: ObjectVersion, pos: number, len: number, out: Buffer, window: number): number | Promise<number> {
    const end = Math.min(pos + len, obj.size);
    if (pos >= end) return 0;
    const bs = this.blockSize;
    const first = Math.floor(pos / bs);
    const last = Math.floor((end - 1) / bs);
    if (window > 0) this.#readAhead(obj, last + 1, Math.floor((Math.min(end + window, obj.size) - 1) / bs));

    const blocks: Array<PooledBlock | Promise<PooledBlock>> = [];
    let missing = false;
    for (let i = first; i <= last; i++) {
      const b = this.#memory(obj, i);
      if (!b) missing = true;
      blocks.push(b ?? this.block(obj, i, 'foreground'));
    }
    if (!missing) return this.#copy(blocks as PooledBlock[], first, pos, end, out);
    for (const b of blocks) if (!(b instanceof Promise)) b.retain();
    return Promise.allSettled(blocks).then((settled) => {
      const got: PooledBlock[] = [];
      let failure: PromiseRejectedResult | undefined;
      for (const r of settled) {
        if (r.status === 'fulfilled') got.push(r.value);
        else failure ??= r;
      }
      try {
        if (failure) throw failure.reason;
        for (let i = first; i <= last; i++) this.#used(blockKey({ key: obj.key, etag: obj.etag, index: i }));
        return this.#copy(got, first, pos, end, out);
      } finally {
        for (const b of got) b.release();
      }
    });
  }

  #memory(obj: ObjectVersion, index: number): PooledBlock | undefined {
    const id = { key: obj.key, etag: obj.etag, index };
    const b = this.l1.get(id);
    if (b) this.#used(blockKey(id));
    return b;
  }

  #used(key: string): void {
    const bytes = this.#forget(key);
    if (bytes !== undefined) this.#stats.prefetch.bytesUsed += bytes;
  }

  /** Drops `key` from the prefetched set; returns its size when it was there. */
  #forget(key: string): number | undefined {
    const bytes = this.#prefetched.get(key);
    if (bytes === undefined) return undefined;
    this.#prefetched.delete(key);
    this.#prefetchedBytes -= bytes;
    return bytes;
  }

  /** Copies straight from the blocks into the caller's buffer (FUSE's own, for reads). */
  #copy(blocks: PooledBlock[], first: number, pos: number, end: number, out: Buffer): number {
    let written = 0;
    for (let j = 0; j < blocks.length; j++) {
      const blockStart = (first + j) * this.blockSize;
      const from = Math.max(pos, blockStart) - blockStart;
      const to = Math.min(end, blockStart + blocks[j].length) - blockStart;
      if (to > from) written += blocks[j].data.copy(out, written, from, to);
    }
    this.#stats.bytes.read += written;
    return written;
  }

  #readAhead(obj: ObjectVersion, from: number, to: number): void {
    for (let i = from; i <= to; i++) {
      const id = { key: obj.key, etag: obj.etag, index: i };
      const key = blockKey(id);
      if (this.#inflight.has(key) || this.l1.has(id)) continue;
      const size = Math.min(this.blockSize, obj.size - i * this.blockSize);
      if (this.#prefetchedBytes + size > this.#prefetchBudget) return;
      this.#stats.prefetch.blocks++;
      this.#stats.prefetch.bytesPrefetched += size;
      this.#prefetched.set(key, size);
      this.#prefetchedBytes += size;
      this.block(obj, i, 'readahead').then(
        (b) => b.release(),
        () => {
          if (this.#forget(key) !== undefined) this.#stats.prefetch.bytesWasted += size;
        },
      );
    }
  }

  /** Warms every block of `obj` into the disk tier; resolves with the bytes fetched. */
  async warm(obj: ObjectVersion, signal: AbortSignal): Promise<number> {
    let bytes = 0;
    const count = Math.ceil(obj.size / this.blockSize);
    for (let i = 0; i < count && !signal.aborted; i++) {
      const id = { key: obj.key, etag: obj.etag, index: i };
      if (this.l1.has(id)) continue;
      const block = await this.block(obj, i, 'warming');
      bytes += block.length;
      block.release();
    }
    return bytes;
  }

  /** One block, from L1, L2 or S3, held once for the caller (who releases it); concurrent callers share one fetch. */
  block(obj: ObjectVersion, index: number, cls: IoClass): Promise<PooledBlock> {
    const id: BlockId = { key: obj.key, etag: obj.etag, index };
    const cached = this.l1.peek(id);
    if (cached) return Promise.resolve(cached.retain());
    const key = blockKey(id);
    let running = this.#inflight.get(key);
    if (!running) {
      const p = this.#fetch(obj, id, cls);
      running = p;
      this.#inflight.set(key, p);
      // The fetch's own reference (and its place in the in-flight map) lasts until the next turn
      // of the event loop: every waiter's `then` below has run by then and holds its own.
      const settle = (block?: PooledBlock) =>
        setImmediate(() => {
          if (this.#inflight.get(key) === p) this.#inflight.delete(key);
          block?.release();
        });
      p.then(settle, () => settle());
    }
    return running.then((b) => b.retain());
  }

  async #fetch(obj: ObjectVersion, id: BlockId, cls: IoClass): Promise<PooledBlock> {
    const fromDisk = await this.#l2.get(id);
    if (fromDisk) {
      if (cls !== 'warming') this.l1.set(id, fromDisk);
      return fromDisk;
    }
    const start = id.index * this.blockSize;
    const end = Math.min(obj.size, start + this.blockSize);
    // The buffer is taken when the GET starts, so a queued fetch holds no memory.
    const block = await this.#io.run(
      async () => {
        const b = this.#pool.acquire(end - start);
        try {
          await this.#store.getRange(obj.key, obj.etag, start, end, PRIORITY[cls], b.data);
          return b;
        } catch (err) {
          b.release();
          throw err;
        }
      },
      { cls, bytes: end - start, deadline: this.#clock.monotonic() + DEADLINE_MS[cls] },
    );
    if (cls === 'warming') {
      // Warming exists to fill the disk tier: it waits for the write instead of being skipped.
      await this.#l2.put(id, block);
    } else {
      this.l1.set(id, block);
      const key = blockKey(id);
      if (cls === 'foreground' || this.#fetchedBefore.has(key)) this.#l2.set(id, block);
      else this.#fetchedBefore.set(key, true);
    }
    return block;
  }
}
