// The L1 block cache: whole blocks in memory, bounded in bytes by --cache-size, LRU.
// Identity is (key, ETag, block index) as in mountpoint-s3's ObjectId: a changed object has a
// new ETag, so its old blocks are never served and simply age out. The cache holds one reference
// on each pooled block (block-pool.ts) and lets go of it when the block leaves, so an evicted
// block's buffer is reused once nobody else holds it.

import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/clock.js';
import type { PooledBlock } from './block-pool.js';

export interface BlockId {
  key: string;
  etag: string;
  index: number;
}

export function blockKey(id: BlockId): string {
  return `${id.etag}\n${id.index}\n${id.key}`;
}

export interface BlockCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  bytes: number;
  capacity: number;
}

export class MemoryBlockCache {
  readonly #lru: LRUCache<string, PooledBlock>;
  readonly #onEvict?: (key: string, bytes: number) => void;
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(opts: { maxBytes: number; clock?: Clock; onEvict?: (key: string, bytes: number) => void }) {
    if (!(opts.maxBytes >= 1)) throw new RangeError(`Expected \`maxBytes\` to be >= 1, got \`${opts.maxBytes}\``);
    this.#onEvict = opts.onEvict;
    this.#lru = new LRUCache<string, PooledBlock>({
      maxSize: opts.maxBytes,
      sizeCalculation: (b) => Math.max(1, b.length),
      ...(opts.clock ? { perf: { now: () => opts.clock!.monotonic() } } : {}),
      dispose: (value, key, reason) => {
        if (reason === 'evict') {
          this.evictions++;
          this.#onEvict?.(key, value.length);
        }
        value.release();
      },
    });
  }

  /** The cached block, still held only by the cache: copy out of it before the next await. */
  get(id: BlockId): PooledBlock | undefined {
    const b = this.#lru.get(blockKey(id));
    if (b) this.hits++;
    else this.misses++;
    return b;
  }

  /** Looks without counting a lookup or refreshing recency (prefetch checks). */
  has(id: BlockId): boolean {
    return this.#lru.has(blockKey(id));
  }

  /** The block without counting a lookup or refreshing recency. */
  peek(id: BlockId): PooledBlock | undefined {
    return this.#lru.peek(blockKey(id));
  }

  /** Keeps `block` (taking a reference of its own). */
  set(id: BlockId, block: PooledBlock): void {
    // A block larger than the whole cache is not kept (lru-cache would refuse it anyway).
    if (block.length > this.#lru.maxSize) return;
    const key = blockKey(id);
    if (this.#lru.peek(key) === block) return;
    this.#lru.set(key, block.retain());
  }

  stats(): BlockCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, bytes: this.#lru.calculatedSize, capacity: this.#lru.maxSize };
  }
}
