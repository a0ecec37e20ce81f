// The engine's public face: one cached, deduplicated path for every operation (DESIGN.md).
// Cheap to import: no Redis, no SDK; the Redis adapter loads on the first L1+L2 miss only.

import type { Config } from '../config/schema.js';
import type { Clock } from '../util/clock.js';
import type { Rec } from '../cli/types.js';
import type { FileOps } from '../cache/disk.js';
import type { CacheMode, Operation } from './types.js';
import { CacheEngine } from './engine.js';

export interface EngineOptions {
  config: Config;
  /** @default systemClock */
  clock?: Clock;
  /** Once-per-message warnings to stderr. */
  warn(message: string): void;
  /** File operations of the disk tier (tests inject failures such as ENOSPC). @default node:fs */
  diskFileOps?: FileOps;
}

export interface StreamOptions {
  /** @default 'default' */
  mode?: CacheMode;
  /** Freshness bound for this read, ms; overrides the TTL rules (`--ttl`). */
  ttl?: number;
  signal?: AbortSignal;
}

export interface EntryInfo {
  key: string;
  tier: string;
  bytes: number;
  ageMs: number;
  /** Null for a task index: it has no TTL, its files are checked whenever it is opened. */
  ttlLeftMs: number | null;
}

/** A cached entry seen without a lookup: no promotion, no metrics, never Redis or upstream. */
export interface PeekedEntry<T = Rec> {
  key: string;
  tier: 'memory' | 'disk';
  createdAt: number;
  ageMs: number;
  /** Time until the entry stops being fresh under the TTL rules, ms (0 once expired). */
  ttlLeftMs: number;
  fresh: boolean;
  /** The entry's records, parsed on demand (read once: a disk entry streams from its open file). */
  records(): AsyncIterable<T>;
}

export interface Engine {
  key(op: Operation): string;
  /** Cached, deduplicated stream of the operation's records; `fetch` is called only on a miss. */
  stream<T extends Rec>(op: Operation, fetch: (signal: AbortSignal) => AsyncIterable<T>, opts?: StreamOptions): AsyncIterable<T>;
  /** Entries removed across tiers. Throws a usage error for a malformed glob. */
  invalidate(glob: string): Promise<number>;
  entries(glob?: string): AsyncIterable<EntryInfo>;
  /**
   * Cached entries whose key matches `glob`, fresh or not, from L1 and L2 only (never Redis, never
   * upstream): what completion and warm planning read. A literal key is looked up directly.
   */
  peek<T extends Rec = Rec>(glob: string): AsyncIterable<PeekedEntry<T>>;
  /** One record per tier: tier, enabled, hits, misses, hitRatio, stale, inflight, evictions, errors, entries, bytes. */
  stats(): Promise<Rec[]>;
  clear(): Promise<void>;
  /** Saves this process's counts, closes Redis; leaves no handle open. */
  close(): Promise<void>;
}

export function createEngine(opts: EngineOptions): Engine {
  return new CacheEngine(opts);
}
