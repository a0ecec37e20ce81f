// The Runner: every operation's read goes  L1 memory → L2 disk → L3 Redis → in-process flight →
// cross-process lock → upstream fetch, and the records stream back page by page while they are
// written to the tiers. Every lookup publishes its outcome per tier on the metrics channel
// (hit | miss | stale | inflight | refresh, plus set | evict | error); nothing is logged.
//
// Freshness is decided at read time: an entry is fresh while now - createdAt < ttl, where ttl
// is `--ttl` or the most specific config rule. `refresh` mode refetches, but accepts an entry
// written in the last FRESH_WINDOW_MS (a repeat right after a miss, here or in another process,
// is answered from that fresh entry). When the upstream call fails before its first record, an
// entry up to ttl + staleIfError old is served with a warning instead (stale-if-error).
// A tier that fails (unwritable dir, full disk, Redis down) warns once and is skipped: the
// command still gets its records. Task reads keep their own index in the cache dir (src/tasks:
// it is checked file by file, not by TTL); `entries`, `invalidate` and `clear` cover it too.

import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Rec } from '../cli/types.js';
import type { Config } from '../config/schema.js';
import { publishCache, type CacheEvent } from '../metrics/channels.js';
import { systemClock, type Clock } from '../util/clock.js';
import { cacheDirUnusable } from '../cache/dir.js';
import { listIndexes } from '../tasks/index-file.js';
import { DiskStore, type DiskEntry } from '../cache/disk.js';
import { decodeEntry, decompress } from '../cache/format.js';
import { compileGlob, type KeyMatcher } from '../cache/glob.js';
import { LockDir, type Lock } from '../cache/lock.js';
import { createBoundedCache, type StoredEntry } from '../cache/memory.js';
import type { BoundedCache } from '../cache/policies/types.js';
import type { RedisTier } from '../cache/redis.js';
import { CacheStats, TIERS, type CountedOutcome, type TierName } from '../cache/stats.js';
import { compileTtlRules, type TtlPolicy } from '../cache/ttl.js';
import { chunkRecords, recordsOf } from './chunks.js';
import { Flight } from './flight.js';
import type { Engine, EngineOptions, EntryInfo, PeekedEntry, StreamOptions } from './index.js';
import { operationKey } from './key.js';
import type { CacheMode, Operation } from './types.js';

/** A refresh right after another read of the same key reuses that read (double-clicks, fan-outs, parallel CI jobs). */
const FRESH_WINDOW_MS = 2_000;
/** Largest entry (bytes of JSON) kept in L1; bigger ones live on disk and stream from there. */
const L1_ENTRY_MAX_BYTES = 4 * 1024 * 1024;
/** Largest entry file shared through Redis: bigger listings stay local rather than stall a 250 ms budget. */
const REDIS_ENTRY_MAX_BYTES = 1024 * 1024;
/** How long close() waits for flights that are still winding down. */
const CLOSE_WAIT_MS = 2_000;

type Acceptable = (createdAt: number) => boolean;

interface ProduceRequest<T> {
  key: string;
  fetch: (signal: AbortSignal) => AsyncIterable<T>;
  mode: CacheMode;
  ttl: number;
  acceptable: Acceptable;
  flight: Flight;
}

const COUNTER: Record<CacheEvent['outcome'], CountedOutcome> = {
  hit: 'hits',
  miss: 'misses',
  stale: 'stale',
  inflight: 'inflight',
  refresh: 'refresh',
  set: 'sets',
  evict: 'evictions',
  error: 'errors',
};

export class CacheEngine implements Engine {
  readonly #config: Config['cache'];
  readonly #clock: Clock;
  readonly #warn: (message: string) => void;
  readonly #opts: EngineOptions;
  readonly #stats = new CacheStats();
  /** Flights a read of the same key may join; an invalidated one leaves so the next read starts afresh. */
  readonly #flights = new Map<string, Flight>();
  /** Every flight not yet settled, invalidated ones included: close() waits for them. */
  readonly #running = new Set<Flight>();
  readonly #l1MaxBytes: number;
  #ready: Promise<void> | undefined;
  #memory!: BoundedCache<StoredEntry>;
  #disk: DiskStore | undefined;
  #locks: LockDir | undefined;
  #redis: RedisTier | undefined;
  #ttl: TtlPolicy | undefined;
  #warnedWrite = false;

  constructor(opts: EngineOptions) {
    this.#opts = opts;
    this.#config = opts.config.cache;
    this.#clock = opts.clock ?? systemClock;
    this.#warn = opts.warn;
    this.#l1MaxBytes = Math.min(L1_ENTRY_MAX_BYTES, this.#config.memory.maxBytes / 4);
  }

  key(op: Operation): string {
    return operationKey(op);
  }

  stream<T extends Rec>(op: Operation, fetch: (signal: AbortSignal) => AsyncIterable<T>, opts: StreamOptions = {}): AsyncIterable<T> {
    return this.#stream(this.key(op), fetch, opts);
  }

  async invalidate(glob: string): Promise<number> {
    const match = compileGlob(glob);
    await this.#ensureReady();
    this.#dropFlights(match);
    let removed = 0;
    for (const key of [...this.#memory.keys()]) {
      if (match(key) && this.#memory.delete(key)) removed++;
    }
    removed += this.#disk?.deleteWhere(match) ?? 0;
    removed += (await this.#redis?.deleteWhere(match)) ?? 0;
    removed += this.#dropTaskIndexes(match);
    return removed;
  }

  async *entries(glob?: string): AsyncIterable<EntryInfo> {
    const match = glob === undefined ? () => true : compileGlob(glob);
    await this.#ensureReady();
    const info = (key: string, tier: TierName, bytes: number, createdAt: number): EntryInfo => {
      const now = this.#clock.now();
      return { key, tier, bytes, ageMs: Math.max(0, now - createdAt), ttlLeftMs: Math.max(0, createdAt + this.#ttlFor(key) - now) };
    };
    for (const key of [...this.#memory.keys()]) {
      const e = this.#memory.get(key);
      if (e && match(key)) yield info(key, 'memory', e.bytes, e.createdAt);
    }
    for (const e of this.#disk?.list() ?? []) if (match(e.key)) yield info(e.key, 'disk', e.bytes, e.createdAt);
    if (this.#redis) for await (const e of this.#redis.list()) if (match(e.key)) yield info(e.key, 'redis', e.bytes, e.createdAt);
    for (const e of listIndexes(this.#config.dir)) {
      if (match(e.key)) yield { key: e.key, tier: 'disk', bytes: e.bytes, ageMs: Math.max(0, this.#clock.now() - e.mtimeMs), ttlLeftMs: null };
    }
  }

  async *peek<T extends Rec = Rec>(glob: string): AsyncIterable<PeekedEntry<T>> {
    const literal = !/[*?[\]{}]/.test(glob);
    const match = compileGlob(glob);
    await this.#ensureReady();
    const seen = new Set<string>();
    const now = this.#clock.now();
    const peeked = (key: string, tier: 'memory' | 'disk', createdAt: number, chunks: () => Iterable<string>): PeekedEntry<T> => {
      const ttl = this.#ttlFor(key);
      return { key, tier, createdAt, ageMs: Math.max(0, now - createdAt), ttlLeftMs: Math.max(0, createdAt + ttl - now), fresh: now - createdAt < ttl, records: () => recordsOf<T>(chunks()) };
    };
    const inMemory = literal ? [glob] : [...this.#memory.keys()];
    for (const key of inMemory) {
      const m = match(key) ? this.#memory.get(key) : undefined;
      if (!m) continue;
      seen.add(key);
      yield peeked(key, 'memory', m.createdAt, () => m.chunks);
    }
    const onDisk = literal ? [glob] : [...(this.#disk?.list() ?? [])].map((e) => e.key);
    for (const key of onDisk) {
      if (seen.has(key) || !match(key)) continue;
      const d = this.#disk?.read(key);
      if (!d) continue;
      let read = false;
      yield peeked(key, 'disk', d.createdAt, () => ((read = true), d.chunks()));
      if (!read) d.close();
    }
  }

  async stats(): Promise<Rec[]> {
    await this.#ensureReady();
    const totals = this.#stats.totals();
    const sizes: Record<TierName, { entries: number; bytes: number }> = {
      memory: { entries: this.#memory.size, bytes: this.#memory.bytes },
      disk: { entries: 0, bytes: 0 },
      redis: { entries: 0, bytes: 0 },
    };
    for (const e of [...(this.#disk?.list() ?? []), ...listIndexes(this.#config.dir)]) (sizes.disk.entries++, (sizes.disk.bytes += e.bytes));
    if (this.#redis) for await (const e of this.#redis.list()) (sizes.redis.entries++, (sizes.redis.bytes += e.bytes));
    const enabled: Record<TierName, boolean> = { memory: true, disk: this.#disk !== undefined, redis: this.#redis?.available ?? false };
    return TIERS.map((tier) => {
      const c = totals[tier];
      const looked = c.hits + c.misses;
      return {
        tier,
        enabled: enabled[tier],
        hits: c.hits,
        misses: c.misses,
        hitRatio: looked === 0 ? null : Math.round((c.hits / looked) * 10_000) / 10_000,
        stale: c.stale,
        inflight: c.inflight,
        evictions: c.evictions,
        errors: c.errors,
        entries: sizes[tier].entries,
        bytes: sizes[tier].bytes,
      };
    });
  }

  async clear(): Promise<void> {
    await this.#ensureReady();
    this.#dropFlights(() => true);
    this.#memory.clear();
    await this.#disk?.clear();
    await this.#redis?.clear();
    this.#dropTaskIndexes(() => true);
    this.#stats.reset();
  }

  /**
   * Waits (at most CLOSE_WAIT_MS) for flights still winding down — an abandoned one removes its
   * temp file and lock as it stops — sweeps the disk tier if this process wrote to it (so the
   * byte bound holds once every writer is done), then closes Redis. The CLI exits right after this.
   */
  async close(): Promise<void> {
    const live = [...this.#running].map((f) => f.settled);
    if (live.length) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(live), new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    this.#disk?.sweepIfWritten();
    this.#stats.flush();
    await this.#redis?.close();
  }

  // ----------------------------------------------------------------------------------------------

  /**
   * Task indexes (`tasks:<folder hash>:index`, written by src/tasks beside the tiers) go with the
   * cache: invalidated by glob, cleared, listed. The next task read rebuilds one.
   */
  #dropTaskIndexes(match: KeyMatcher): number {
    let removed = 0;
    for (const e of listIndexes(this.#config.dir)) {
      if (!match(e.key)) continue;
      rmSync(e.file, { force: true });
      removed++;
    }
    return removed;
  }

  /** Flights of matching keys write nothing to the cache, and no new read joins them. */
  #dropFlights(match: KeyMatcher): void {
    for (const [key, flight] of this.#flights) {
      if (!match(key)) continue;
      flight.cancelled = true;
      this.#flights.delete(key);
    }
  }

  async *#stream<T>(key: string, fetch: (signal: AbortSignal) => AsyncIterable<T>, opts: StreamOptions): AsyncGenerator<T> {
    await this.#ensureReady();
    const mode = opts.mode ?? 'default';
    const ttl = opts.ttl ?? this.#ttlFor(key);
    const requestedAt = this.#clock.now();
    const acceptable: Acceptable =
      mode === 'default' ? (createdAt) => this.#clock.now() - createdAt < ttl
      : mode === 'refresh' ? (createdAt) => createdAt >= requestedAt - FRESH_WINDOW_MS
      : () => false;
    for (;;) {
      if (mode !== 'no-cache') {
        const hit = await this.#lookup(key, acceptable, mode);
        if (hit) {
          yield* recordsOf<T>(hit);
          return;
        }
      }
      const running = this.#flights.get(key);
      if (running?.joinable) {
        this.#count('memory', 'inflight', key);
        yield* recordsOf<T>(running.consume(opts.signal));
        return;
      }
      if (running) {
        // Joined too late to replay it: wait, then read what it left in the cache.
        await running.settled;
        continue;
      }
      const flight: Flight = new Flight((signal) => this.#produce({ key, fetch, mode, ttl, acceptable, flight }, signal));
      this.#flights.set(key, flight);
      this.#running.add(flight);
      void flight.settled.then(() => {
        this.#running.delete(flight);
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      });
      yield* recordsOf<T>(flight.consume(opts.signal));
      return;
    }
  }

  /** L1 → L2 → L3; the chunks of the first acceptable entry, promoted to the tiers above it. */
  async #lookup(key: string, acceptable: Acceptable, mode: CacheMode): Promise<Iterable<string> | undefined> {
    const missed = mode === 'refresh' ? 'refresh' : 'miss';
    const m = this.#memory.get(key);
    if (m && acceptable(m.createdAt)) {
      this.#count('memory', 'hit', key, m.bytes);
      return m.chunks;
    }
    this.#count('memory', missed, key);
    if (this.#disk) {
      const t0 = this.#clock.monotonic();
      const d = this.#disk.read(key, acceptable);
      if (d && acceptable(d.createdAt)) {
        this.#count('disk', 'hit', key, d.bytes, this.#clock.monotonic() - t0);
        return this.#fromDisk(key, d);
      }
      d?.close();
      this.#count('disk', missed, key);
    }
    if (this.#redis?.available) {
      const t0 = this.#clock.monotonic();
      const raw = await this.#redis.get(key);
      const decoded = raw && decodeEntry(raw);
      if (raw && decoded && decoded.key === key && acceptable(decoded.createdAt)) {
        this.#count('redis', 'hit', key, raw.length, this.#clock.monotonic() - t0);
        try {
          await this.#disk?.set(key, raw, decoded);
        } catch (err) {
          this.#writeFailed(key, err);
        }
        return this.#remembering(key, decoded.createdAt, decoded.frames.map(decompress));
      }
      if (this.#redis.available) this.#count('redis', missed, key);
    }
    return undefined;
  }

  #fromDisk(key: string, d: DiskEntry): Iterable<string> {
    return d.whole ? this.#remembering(key, d.createdAt, d.chunks()) : d.chunks();
  }

  /** Passes chunks through and, if they all fit, keeps them in L1 once they are all read. */
  *#remembering(key: string, createdAt: number, chunks: Iterable<string>): Generator<string> {
    let kept: string[] | undefined = [];
    let bytes = 0;
    for (const chunk of chunks) {
      if (kept) {
        bytes += chunk.length;
        if (bytes > this.#l1MaxBytes) kept = undefined;
        else kept.push(chunk);
      }
      yield chunk;
    }
    if (kept) this.#remember(key, createdAt, kept, bytes);
  }

  #remember(key: string, createdAt: number, chunks: string[], bytes: number): void {
    const stored = this.#memory.set(key, { key, createdAt, chunks, bytes }, bytes, createdAt + this.#ttlFor(key));
    if (stored) this.#count('memory', 'set', key, bytes);
  }

  /** The source of a flight: wait for another process's read of the key, or read upstream and store. */
  async *#produce<T>(req: ProduceRequest<T>, signal: AbortSignal): AsyncGenerator<string> {
    const caching = req.mode !== 'no-cache' && req.ttl > 0;
    let lock: Lock | undefined;
    try {
      if (caching && this.#locks && this.#disk) {
        for (;;) {
          lock = this.#tryLock(req.key);
          if (lock) break;
          this.#count('disk', 'inflight', req.key);
          await this.#locks.waitWhileHeld(req.key, signal);
          signal.throwIfAborted();
          const done = this.#readAcceptable(req.key, req.acceptable);
          if (done) {
            yield* done;
            return;
          }
        }
        // Another process may have written the entry between our miss and our lock.
        const done = lock && this.#readAcceptable(req.key, req.acceptable);
        if (done) {
          yield* done;
          return;
        }
      }
      yield* this.#fetchAndStore(req, caching, signal);
    } finally {
      lock?.release();
    }
  }

  #readAcceptable(key: string, acceptable: Acceptable): Iterable<string> | undefined {
    const d = this.#disk?.read(key, acceptable);
    if (d && acceptable(d.createdAt)) {
      this.#count('disk', 'hit', key, d.bytes);
      return this.#fromDisk(key, d);
    }
    d?.close();
    return undefined;
  }

  /** A lock, or undefined when another process holds it. A lock that cannot be made (EACCES, ENOSPC) is skipped: fetch unlocked. */
  #tryLock(key: string): Lock | undefined {
    try {
      return this.#locks!.tryAcquire(key);
    } catch (err) {
      this.#writeFailed(key, err);
      return { release() {} };
    }
  }

  async *#fetchAndStore<T>(req: ProduceRequest<T>, caching: boolean, signal: AbortSignal): AsyncGenerator<string> {
    const { key } = req;
    const createdAt = this.#clock.now();
    // with Redis, the writer keeps a small entry's bytes so they are shared without a read back
    let writer = caching ? this.#disk?.writer(key, createdAt, this.#redis?.available ? REDIS_ENTRY_MAX_BYTES : 0) : undefined;
    let kept: string[] | undefined = caching ? [] : undefined;
    let keptBytes = 0;
    let records = 0;
    let delivered = false;
    let committed = false;
    try {
      try {
        for await (const chunk of chunkRecords(req.fetch(signal))) {
          records += chunk.records;
          if (writer) {
            try {
              writer.append(chunk.text);
            } catch (err) {
              this.#writeFailed(key, err);
              writer = undefined;
            }
          }
          if (kept) {
            keptBytes += chunk.text.length;
            if (keptBytes > this.#l1MaxBytes) kept = undefined;
            else kept.push(chunk.text);
          }
          delivered = true;
          yield chunk.text;
        }
      } catch (err) {
        if (!delivered && !signal.aborted && req.mode !== 'no-cache') {
          const stale = await this.#staleFor(key, req.ttl, err);
          if (stale) {
            yield* stale;
            return;
          }
        }
        throw err;
      }
      if (!caching || req.flight.cancelled) return;
      if (writer) {
        try {
          const bytes = writer.commit(records);
          committed = true;
          this.#count('disk', 'set', key, bytes);
        } catch (err) {
          this.#writeFailed(key, err);
        }
      }
      if (kept) this.#remember(key, createdAt, kept, keptBytes);
      const written = committed ? writer?.written : undefined;
      if (written && this.#redis?.available) await this.#share(key, req.ttl, written);
    } finally {
      if (!committed) writer?.abort();
    }
  }

  /** Sends a just-committed entry (its bytes, as the disk writer kept them) to Redis. */
  async #share(key: string, ttl: number, raw: Buffer): Promise<void> {
    if (await this.#redis!.set(key, raw, ttl + this.#config.staleIfError)) this.#count('redis', 'set', key, raw.length);
  }

  /** An entry within ttl + staleIfError, from any tier, served with a warning; undefined when none. */
  async #staleFor(key: string, ttl: number, err: unknown): Promise<Iterable<string> | undefined> {
    const now = this.#clock.now();
    const usable = (createdAt: number) => now - createdAt < ttl + this.#config.staleIfError;
    let found: { tier: TierName; createdAt: number; chunks: Iterable<string> } | undefined;
    const m = this.#memory.get(key);
    if (m && usable(m.createdAt)) found = { tier: 'memory', createdAt: m.createdAt, chunks: m.chunks };
    const d = found ? undefined : this.#disk?.read(key, usable);
    if (d && usable(d.createdAt)) found = { tier: 'disk', createdAt: d.createdAt, chunks: d.chunks() };
    else d?.close();
    if (!found && this.#redis?.available) {
      const raw = await this.#redis.get(key);
      const decoded = raw && decodeEntry(raw);
      if (decoded && decoded.key === key && usable(decoded.createdAt)) {
        found = { tier: 'redis', createdAt: decoded.createdAt, chunks: decoded.frames.map(decompress) };
      }
    }
    if (!found) return undefined;
    this.#count(found.tier, 'stale', key);
    const reason = err instanceof Error ? err.message : String(err);
    this.#warn(`upstream read failed (${reason}); serving the cached result of ${key} from ${formatAge(now - found.createdAt)} ago (stale-if-error)`);
    return found.chunks;
  }

  #writeFailed(key: string, err: unknown): void {
    this.#count('disk', 'error', key);
    if (this.#warnedWrite) return;
    this.#warnedWrite = true;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? `the disk holding ${this.#config.dir} is full` : `${code ?? 'error'}: ${(err as Error).message}`;
    this.#warn(`cannot write to the cache (${why}); results are served but not cached`);
  }

  #ttlFor(key: string): number {
    this.#ttl ??= compileTtlRules(this.#config.ttl, this.#config.defaultTtl);
    return this.#ttl.ttlFor(key);
  }

  #count(tier: TierName, outcome: CacheEvent['outcome'], key: string, bytes?: number, ms?: number): void {
    this.#stats.count(tier, COUNTER[outcome]);
    publishCache({ tier, outcome, key, bytes, ms });
  }

  #ensureReady(): Promise<void> {
    this.#ready ??= this.#init();
    return this.#ready;
  }

  async #init(): Promise<void> {
    const cfg = this.#config;
    this.#memory = await createBoundedCache<StoredEntry>(cfg.memory.policy, {
      maxEntries: cfg.memory.maxEntries,
      maxBytes: cfg.memory.maxBytes,
      onEvict: (key) => this.#count('memory', 'evict', key),
    });
    try {
      const disk = new DiskStore({
        dir: cfg.dir,
        maxBytes: cfg.disk.maxBytes,
        now: () => this.#clock.now(),
        isDead: (key, createdAt) => this.#clock.now() - createdAt > this.#ttlFor(key) + cfg.staleIfError,
        onEvict: (key, bytes) => this.#count('disk', 'evict', key, bytes),
        fs: this.#opts.diskFileOps,
      });
      disk.init();
      const locks = new LockDir({ dir: cfg.dir, now: () => this.#clock.now() });
      locks.init();
      this.#disk = disk;
      this.#locks = locks;
      this.#stats.setFile(path.join(cfg.dir, 'cache-stats.log'));
    } catch (err) {
      this.#warn(cacheDirUnusable(cfg.dir, err));
    }
    if (cfg.redisUrl) {
      const { RedisTier } = await import('../cache/redis.js');
      this.#redis = new RedisTier({ url: cfg.redisUrl, timeoutMs: cfg.redisTimeout, warn: this.#warn });
    }
  }
}

function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
