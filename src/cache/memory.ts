// L1: the in-process tier. Holds small entries as their JSON chunks (strings, so every reader
// parses its own copy and no caller can mutate what another sees), bounded by entries and bytes
// under the configured policy. lru-cache is loaded only when the `lru` policy is chosen.

import type { EvictionPolicy } from '../config/schema.js';
import type { BoundedCache, Bounds } from './policies/types.js';
import { SieveCache } from './policies/sieve.js';
import { LfuCache } from './policies/lfu.js';
import { TtlCache } from './policies/ttl.js';

export interface StoredEntry {
  key: string;
  /** ms since the epoch (the engine's clock) when the upstream read finished. */
  createdAt: number;
  /** JSON arrays of records, one per page as it arrived. */
  chunks: string[];
  /** Sum of chunk lengths. */
  bytes: number;
}

export async function createBoundedCache<V extends {}>(policy: EvictionPolicy, bounds: Bounds): Promise<BoundedCache<V>> {
  if (!Number.isInteger(bounds.maxEntries) || bounds.maxEntries < 1) {
    throw new TypeError(`Expected \`cache.memory.maxEntries\` to be an integer >= 1, got \`${bounds.maxEntries}\``);
  }
  switch (policy) {
    case 'sieve':
      return new SieveCache<V>(bounds);
    case 'lfu':
      return new LfuCache<V>(bounds);
    case 'ttl':
      return new TtlCache<V>(bounds);
    case 'lru': {
      const { LruCache } = await import('./policies/lru.js');
      return new LruCache<V>(bounds);
    }
    default:
      throw new TypeError(`Expected \`cache.memory.policy\` to be one of sieve, lru, lfu, ttl, got \`${String(policy)}\``);
  }
}
