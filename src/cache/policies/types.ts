// The L1 policy interface: a synchronous map bounded by entries and bytes. Each policy decides
// only which entry leaves when a bound is hit; the tier around it adds freshness and stats.

export interface Bounds {
  /** Most entries held. Minimum: 1. */
  maxEntries: number;
  /** Most bytes held (as reported by `set`). An entry larger than this is not stored. */
  maxBytes: number;
  /** Called for each entry pushed out by a bound (not for delete/clear/replace). */
  onEvict?: (key: string) => void;
}

export interface BoundedCache<V> {
  /** Returns the value and counts it as a use. */
  get(key: string): V | undefined;
  /** `expiresAt` (ms) is used by the `ttl` policy only. Returns false when the value was too big. */
  set(key: string, value: V, bytes: number, expiresAt?: number): boolean;
  delete(key: string): boolean;
  clear(): void;
  keys(): IterableIterator<string>;
  readonly size: number;
  readonly bytes: number;
}

/** Whether one more entry of `adding` bytes must wait for an eviction (the admission rule every policy shares). */
export function mustEvict(bounds: Bounds, entries: number, bytes: number, adding: number): boolean {
  return entries > 0 && (entries >= bounds.maxEntries || bytes + adding > bounds.maxBytes);
}
