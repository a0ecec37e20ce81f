// TTL-only: no recency or frequency tracking. When a bound is hit, the entry closest to its
// expiry leaves first (a min-heap on expiresAt with lazy deletion: replaced or deleted entries
// leave stale heap items that are skipped on pop and swept when the heap doubles).

import { mustEvict, type BoundedCache, type Bounds } from './types.js';

interface Entry<V> {
  value: V;
  bytes: number;
  expiresAt: number;
  seq: number;
}
type HeapItem = { key: string; expiresAt: number; seq: number };

export class TtlCache<V> implements BoundedCache<V> {
  readonly #map = new Map<string, Entry<V>>();
  readonly #bounds: Bounds;
  #heap: HeapItem[] = [];
  #seq = 0;
  #bytes = 0;

  constructor(bounds: Bounds) {
    this.#bounds = bounds;
  }

  get size(): number {
    return this.#map.size;
  }
  get bytes(): number {
    return this.#bytes;
  }
  get(key: string): V | undefined {
    return this.#map.get(key)?.value;
  }

  set(key: string, value: V, bytes: number, expiresAt = Number.MAX_SAFE_INTEGER): boolean {
    this.delete(key);
    if (bytes > this.#bounds.maxBytes) return false;
    while (mustEvict(this.#bounds, this.#map.size, this.#bytes, bytes)) {
      this.#evictOne();
    }
    const seq = ++this.#seq;
    this.#map.set(key, { value, bytes, expiresAt, seq });
    this.#push({ key, expiresAt, seq });
    this.#bytes += bytes;
    if (this.#heap.length > 2 * this.#map.size + 64) this.#rebuild();
    return true;
  }

  delete(key: string): boolean {
    const entry = this.#map.get(key);
    if (!entry) return false;
    this.#map.delete(key);
    this.#bytes -= entry.bytes;
    return true;
  }

  clear(): void {
    this.#map.clear();
    this.#heap = [];
    this.#bytes = 0;
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  #evictOne(): void {
    for (;;) {
      const top = this.#pop()!;
      const entry = this.#map.get(top.key);
      if (entry && entry.seq === top.seq) {
        this.delete(top.key);
        this.#bounds.onEvict?.(top.key);
        return;
      }
    }
  }

  #rebuild(): void {
    this.#heap = [];
    for (const [key, e] of this.#map) this.#push({ key, expiresAt: e.expiresAt, seq: e.seq });
  }

  #less(a: HeapItem, b: HeapItem): boolean {
    return a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.seq < b.seq);
  }

  #push(item: HeapItem): void {
    const h = this.#heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  #pop(): HeapItem | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l], h[m])) m = l;
        if (r < h.length && this.#less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
