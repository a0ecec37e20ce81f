// The read path: an object is read in fixed blocks. A block comes from L1 (memory), else L2
// (disk), else one ranged GET queued on the I/O scheduler at the class of the work that wants it.
// Concurrent wants of one block share one fetch. Read-ahead fetches the blocks under the open
// file's window (sequential.ts) as `readahead` work; warming fetches whole files as `warming`
// work into L2 only, so it never pushes hot blocks out of memory.
//
// Prefetch accuracy is tracked per block: a block brought in by read-ahead is "prefetched" until
// a foreground read uses it (bytesUsed) or L1 evicts it unused (bytesWasted).

import type { Clock } from '../util/clock.js';
import { blockKey, MemoryBlockCache, type BlockId } from './block-cache.js';
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

export class BlockReader {
  readonly blockSize: number;
  readonly l1: MemoryBlockCache;
  readonly #l2: DiskBlockCache;
  readonly #store: ObjectStore;
  readonly #io: IoScheduler;
  readonly #stats: MountStats;
  readonly #clock: Clock;
  readonly #inflight = new Map<string, Promise<Buffer>>();
  /** Prefetched blocks not yet read, with their sizes. */
  readonly #prefetched = new Map<string, number>();
  #prefetchedBytes = 0;
  /** Unread prefetched bytes stay under half of L1, so read-ahead never evicts its own blocks. */
  readonly #prefetchBudget: number;

  constructor(opts: { store: ObjectStore; l2: DiskBlockCache; io: IoScheduler; stats: MountStats; clock: Clock; blockSize: number; cacheBytes: number }) {
    this.blockSize = opts.blockSize;
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

    const blocks: Array<Buffer | Promise<Buffer>> = [];
    let missing = false;
    for (let i = first; i <= last; i++) {
      const b = this.#memory(obj, i);
      if (!b) missing = true;
      blocks.push(b ?? this.block(obj, i, 'foreground'));
    }
    if (!missing) return this.#copy(blocks as Buffer[], first, pos, end, out);
    return Promise.all(blocks).then((got) => {
      for (let i = first; i <= last; i++) this.#used(blockKey({ key: obj.key, etag: obj.etag, index: i }));
      return this.#copy(got, first, pos, end, out);
    });
  }

  #memory(obj: ObjectVersion, index: number): Buffer | undefined {
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

  #copy(blocks: Buffer[], first: number, pos: number, end: number, out: Buffer): number {
    let written = 0;
    for (let j = 0; j < blocks.length; j++) {
      const blockStart = (first + j) * this.blockSize;
      const from = Math.max(pos, blockStart) - blockStart;
      const to = Math.min(end, blockStart + blocks[j].length) - blockStart;
      if (to > from) written += blocks[j].copy(out, written, from, to);
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
      this.block(obj, i, 'readahead').catch(() => {
        if (this.#forget(key) !== undefined) this.#stats.prefetch.bytesWasted += size;
      });
    }
  }

  /** Warms every block of `obj` into the disk tier; resolves with the bytes fetched. */
  async warm(obj: ObjectVersion, signal: AbortSignal): Promise<number> {
    let bytes = 0;
    const count = Math.ceil(obj.size / this.blockSize);
    for (let i = 0; i < count && !signal.aborted; i++) {
      const id = { key: obj.key, etag: obj.etag, index: i };
      if (this.l1.has(id)) continue;
      bytes += (await this.block(obj, i, 'warming')).length;
    }
    return bytes;
  }

  /** One block, from L1, L2 or S3; concurrent callers share one fetch. */
  block(obj: ObjectVersion, index: number, cls: IoClass): Promise<Buffer> {
    const id: BlockId = { key: obj.key, etag: obj.etag, index };
    const key = blockKey(id);
    const running = this.#inflight.get(key);
    if (running) return running;
    const p = this.#fetch(obj, id, cls).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  async #fetch(obj: ObjectVersion, id: BlockId, cls: IoClass): Promise<Buffer> {
    const fromDisk = await this.#l2.get(id);
    if (fromDisk) {
      if (cls !== 'warming') this.l1.set(id, fromDisk);
      return fromDisk;
    }
    const start = id.index * this.blockSize;
    const end = Math.min(obj.size, start + this.blockSize);
    const block = await this.#io.run(() => this.#store.getRange(obj.key, obj.etag, start, end, PRIORITY[cls]), {
      cls,
      bytes: end - start,
      deadline: this.#clock.monotonic() + DEADLINE_MS[cls],
    });
    if (cls !== 'warming') this.l1.set(id, block);
    this.#l2.set(id, block);
    return block;
  }
}
