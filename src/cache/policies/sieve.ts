// SIEVE (Zhang et al., NSDI '24): a FIFO queue with one "visited" bit per entry and a hand that
// walks from the oldest entry towards the newest. A hit only sets the bit (no list moves, so gets
// are as cheap as a Map lookup); on eviction the hand clears set bits and evicts the first entry
// whose bit is clear. On skewed traces it beats LRU (Zipf 0.99: ~76.5% vs ~72.4%, see docs/cache.md).

import { mustEvict, type BoundedCache, type Bounds } from './types.js';

interface Node<V> {
  key: string;
  value: V;
  bytes: number;
  visited: boolean;
  /** Towards the head (newer). */
  newer: Node<V> | null;
  /** Towards the tail (older). */
  older: Node<V> | null;
}

export class SieveCache<V> implements BoundedCache<V> {
  readonly #map = new Map<string, Node<V>>();
  readonly #bounds: Bounds;
  #head: Node<V> | null = null;
  #tail: Node<V> | null = null;
  #hand: Node<V> | null = null;
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
    const node = this.#map.get(key);
    if (node === undefined) return undefined;
    node.visited = true;
    return node.value;
  }

  set(key: string, value: V, bytes: number): boolean {
    const existing = this.#map.get(key);
    if (existing !== undefined) this.#unlink(existing);
    if (bytes > this.#bounds.maxBytes) return false;
    while (mustEvict(this.#bounds, this.#map.size, this.#bytes, bytes)) {
      this.#evictOne();
    }
    const node: Node<V> = { key, value, bytes, visited: existing !== undefined, newer: null, older: this.#head };
    if (this.#head) this.#head.newer = node;
    this.#head = node;
    if (!this.#tail) this.#tail = node;
    this.#map.set(key, node);
    this.#bytes += bytes;
    return true;
  }

  delete(key: string): boolean {
    const node = this.#map.get(key);
    if (!node) return false;
    this.#unlink(node);
    return true;
  }

  clear(): void {
    this.#map.clear();
    this.#head = this.#tail = this.#hand = null;
    this.#bytes = 0;
  }

  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  #evictOne(): void {
    let node = this.#hand ?? this.#tail!;
    while (node.visited) {
      node.visited = false;
      node = node.newer ?? this.#tail!;
    }
    this.#hand = node.newer;
    this.#unlink(node);
    this.#bounds.onEvict?.(node.key);
  }

  #unlink(node: Node<V>): void {
    if (this.#hand === node) this.#hand = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.#head = node.older;
    if (node.older) node.older.newer = node.newer;
    else this.#tail = node.newer;
    this.#map.delete(node.key);
    this.#bytes -= node.bytes;
  }
}
