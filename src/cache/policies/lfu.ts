// LFU in O(1): entries grouped in buckets by use count; the least-used bucket gives up its
// oldest entry (a Set keeps insertion order, so ties break least-recently-promoted first).

import { mustEvict, type BoundedCache, type Bounds } from './types.js';

interface Entry<V> {
  value: V;
  bytes: number;
  freq: number;
}

export class LfuCache<V> implements BoundedCache<V> {
  readonly #map = new Map<string, Entry<V>>();
  readonly #buckets = new Map<number, Set<string>>();
  readonly #bounds: Bounds;
  #minFreq = 1;
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
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    this.#promote(key, entry);
    return entry.value;
  }

  set(key: string, value: V, bytes: number): boolean {
    const existing = this.#map.get(key);
    if (existing !== undefined) {
      this.#remove(key, existing);
    }
    if (bytes > this.#bounds.maxBytes) return false;
    while (mustEvict(this.#bounds, this.#map.size, this.#bytes, bytes)) {
      this.#evictOne();
    }
    const freq = existing ? existing.freq + 1 : 1;
    this.#map.set(key, { value, bytes, freq });
    this.#bucket(freq).add(key);
    this.#bytes += bytes;
    if (freq < this.#minFreq || this.#map.size === 1) this.#minFreq = freq;
    return true;
  }

  delete(key: string): boolean {
    const entry = this.#map.get(key);
    if (!entry) return false;
    this.#remove(key, entry);
    return true;
  }

  clear(): void {
    this.#map.clear();
    this.#buckets.clear();
    this.#bytes = 0;
    this.#minFreq = 1;
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  #bucket(freq: number): Set<string> {
    let set = this.#buckets.get(freq);
    if (!set) this.#buckets.set(freq, (set = new Set()));
    return set;
  }

  #promote(key: string, entry: Entry<V>): void {
    const from = this.#buckets.get(entry.freq)!;
    from.delete(key);
    if (from.size === 0) {
      this.#buckets.delete(entry.freq);
      if (this.#minFreq === entry.freq) this.#minFreq = entry.freq + 1;
    }
    entry.freq++;
    this.#bucket(entry.freq).add(key);
  }

  #remove(key: string, entry: Entry<V>): void {
    const set = this.#buckets.get(entry.freq);
    set?.delete(key);
    if (set && set.size === 0) this.#buckets.delete(entry.freq);
    this.#map.delete(key);
    this.#bytes -= entry.bytes;
  }

  #evictOne(): void {
    let set = this.#buckets.get(this.#minFreq);
    if (!set) {
      // A removal emptied the lowest bucket: find the next one (rare; bounded by distinct counts).
      this.#minFreq = Math.min(...this.#buckets.keys());
      set = this.#buckets.get(this.#minFreq)!;
    }
    const key = set.values().next().value as string;
    this.#remove(key, this.#map.get(key)!);
    this.#bounds.onEvict?.(key);
  }
}
