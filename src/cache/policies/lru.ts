// LRU: lru-cache, the well-kept reference, behind our BoundedCache interface.

import { LRUCache } from 'lru-cache';
import type { BoundedCache, Bounds } from './types.js';

export class LruCache<V extends {}> implements BoundedCache<V> {
  readonly #lru: LRUCache<string, V>;
  readonly #maxBytes: number;

  constructor(bounds: Bounds) {
    this.#maxBytes = bounds.maxBytes;
    this.#lru = new LRUCache<string, V>({
      max: bounds.maxEntries,
      maxSize: bounds.maxBytes,
      dispose: (_value, key, reason) => {
        if (reason === 'evict') bounds.onEvict?.(key);
      },
    });
  }

  get size(): number {
    return this.#lru.size;
  }
  get bytes(): number {
    return this.#lru.calculatedSize;
  }
  get(key: string): V | undefined {
    return this.#lru.get(key);
  }
  set(key: string, value: V, bytes: number): boolean {
    if (bytes > this.#maxBytes) {
      this.#lru.delete(key);
      return false;
    }
    this.#lru.set(key, value, { size: Math.max(1, bytes) });
    return true;
  }
  delete(key: string): boolean {
    return this.#lru.delete(key);
  }
  clear(): void {
    this.#lru.clear();
  }
  keys(): IterableIterator<string> {
    return this.#lru.keys();
  }
}
