// The L1 block cache: whole blocks in memory, bounded in bytes by --cache-size, LRU.
// Identity is (key, ETag, block index) as in mountpoint-s3's ObjectId: a changed object has a
// new ETag, so its old blocks are never served and simply age out.

import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/clock.js';

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
  readonly #lru: LRUCache<string, Buffer>;
  readonly #onEvict?: (key: string, bytes: number) => void;
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(opts: { maxBytes: number; clock?: Clock; onEvict?: (key: string, bytes: number) => void }) {
    if (!(opts.maxBytes >= 1)) throw new RangeError(`Expected \`maxBytes\` to be >= 1, got \`${opts.maxBytes}\``);
    this.#onEvict = opts.onEvict;
    this.#lru = new LRUCache<string, Buffer>({
      maxSize: opts.maxBytes,
      sizeCalculation: (b) => Math.max(1, b.length),
      ...(opts.clock ? { perf: { now: () => opts.clock!.monotonic() } } : {}),
      dispose: (value, key, reason) => {
        if (reason === 'evict') {
          this.evictions++;
          this.#onEvict?.(key, value.length);
        }
      },
    });
  }

  get(id: BlockId): Buffer | undefined {
    const b = this.#lru.get(blockKey(id));
    if (b) this.hits++;
    else this.misses++;
    return b;
  }

  /** Looks without counting a lookup or refreshing recency (prefetch checks). */
  has(id: BlockId): boolean {
    return this.#lru.has(blockKey(id));
  }

  set(id: BlockId, block: Buffer): void {
    // A block larger than the whole cache is not kept (lru-cache would refuse it anyway).
    if (block.length > this.#lru.maxSize) return;
    this.#lru.set(blockKey(id), block);
  }

  stats(): BlockCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, bytes: this.#lru.calculatedSize, capacity: this.#lru.maxSize };
  }
}
