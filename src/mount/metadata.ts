// Metadata with a short TTL: HeadObject answers (including "no such key") and directory
// listings, keyed by S3 key / prefix. Concurrent misses for the same entry share one request.
// Our own writes invalidate the key and its parent listing, so a process sees its writes at once.
// A fresh parent listing answers getattr for its children without a HEAD each (`ls -l` of a
// 1,000-entry directory is one LIST).

import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/clock.js';
import type { Listing, ObjectHead, ObjectStore } from './object-store.js';

const MAX_ENTRIES = 20_000;

type HeadEntry = { head: ObjectHead | null };

export class MetadataCache {
  readonly #store: ObjectStore;
  readonly #heads: LRUCache<string, HeadEntry>;
  readonly #lists: LRUCache<string, Listing>;
  readonly #inflight = new Map<string, Promise<unknown>>();
  hits = 0;
  misses = 0;

  constructor(opts: { store: ObjectStore; ttlMs: number; clock: Clock }) {
    this.#store = opts.store;
    const common = { max: MAX_ENTRIES, ttl: opts.ttlMs, perf: { now: () => opts.clock.monotonic() } };
    this.#heads = new LRUCache<string, HeadEntry>(common);
    this.#lists = new LRUCache<string, Listing>({ ...common, max: 2_000 });
  }

  /** The object at `key`, or null when there is none. */
  async head(key: string): Promise<ObjectHead | null> {
    const cached = this.#heads.get(key);
    if (cached) {
      this.hits++;
      return cached.head;
    }
    const parent = parentPrefix(key);
    const listing = this.#lists.get(parent);
    if (listing) {
      this.hits++;
      return listing.files.get(key.slice(parent.length)) ?? null;
    }
    this.misses++;
    return this.#once(`h:${key}`, async () => {
      const head = (await this.#store.head(key)) ?? null;
      this.#heads.set(key, { head });
      return head;
    });
  }

  /** A fresh cached listing of `prefix`, without fetching. */
  peekList(prefix: string): Listing | undefined {
    return this.#lists.get(prefix);
  }

  async list(prefix: string): Promise<Listing> {
    const cached = this.#lists.get(prefix);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    return this.#once(`l:${prefix}`, async () => {
      const listing = await this.#store.list(prefix);
      this.#lists.set(prefix, listing);
      return listing;
    });
  }

  /** Forgets what we know about `key` (a file or a 'dir/' prefix) and its parent's listing. */
  invalidate(key: string): void {
    this.#heads.delete(key);
    this.#lists.delete(key.endsWith('/') ? key : `${key}/`);
    this.#lists.delete(parentPrefix(key));
    this.#heads.delete(key.replace(/\/$/, ''));
  }

  #once<T>(id: string, fetch: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(id) as Promise<T> | undefined;
    if (running) return running;
    const p = fetch().finally(() => this.#inflight.delete(id));
    this.#inflight.set(id, p);
    return p;
  }
}

/** 'a/b/c' → 'a/b/'; 'a/b/' → 'a/'; 'a' → ''. */
export function parentPrefix(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '' : trimmed.slice(0, i + 1);
}
