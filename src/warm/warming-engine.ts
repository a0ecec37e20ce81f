// The engine a warmed command sees: the real engine, deciding per operation. An entry that stays
// fresh for longer than `aheadMs` is read from the cache as usual (nothing to do); one that is
// missing or expires within `aheadMs` is re-read upstream in 'refresh' mode and rewritten. A
// fan-out (`--region all`) therefore refreshes only the regions that need it.
// In 'probe' mode (--dry-run) nothing is fetched: a cached entry, fresh or not, is replayed so the
// command can find its fan-out, a missing one yields nothing; each operation's status is noted.

import type { Rec } from '../cli/types.js';
import type { Engine, EntryInfo, PeekedEntry, StreamOptions } from '../engine/index.js';
import type { Operation } from '../engine/types.js';

export type EntryStatus = 'missing' | 'expiring' | 'fresh';

interface OperationSeen {
  key: string;
  status: EntryStatus;
}

export class WarmingEngine implements Engine {
  readonly seen: OperationSeen[] = [];
  readonly #inner: Engine;
  readonly #aheadMs: number;
  readonly #probe: boolean;

  constructor(inner: Engine, opts: { aheadMs: number; probe: boolean }) {
    this.#inner = inner;
    this.#aheadMs = opts.aheadMs;
    this.#probe = opts.probe;
  }

  key(op: Operation): string {
    return this.#inner.key(op);
  }

  stream<T extends Rec>(op: Operation, fetch: (signal: AbortSignal) => AsyncIterable<T>, opts: StreamOptions = {}): AsyncIterable<T> {
    return this.#stream(op, fetch, opts);
  }

  async *#stream<T extends Rec>(op: Operation, fetch: (signal: AbortSignal) => AsyncIterable<T>, opts: StreamOptions): AsyncGenerator<T> {
    const key = this.#inner.key(op);
    let entry: PeekedEntry<T> | undefined;
    for await (const e of this.#inner.peek<T>(key)) {
      entry = e;
      break;
    }
    const ttlLeft = !entry ? 0 : opts.ttl !== undefined ? Math.max(0, opts.ttl - entry.ageMs) : entry.ttlLeftMs;
    const status: EntryStatus = !entry ? 'missing' : ttlLeft > this.#aheadMs ? 'fresh' : 'expiring';
    this.seen.push({ key, status });
    if (this.#probe) {
      if (entry) yield* entry.records();
      return;
    }
    yield* this.#inner.stream(op, fetch, { ...opts, mode: status === 'fresh' ? 'default' : 'refresh' });
  }

  invalidate(glob: string): Promise<number> {
    return this.#inner.invalidate(glob);
  }
  entries(glob?: string): AsyncIterable<EntryInfo> {
    return this.#inner.entries(glob);
  }
  peek<T extends Rec = Rec>(glob: string): AsyncIterable<PeekedEntry<T>> {
    return this.#inner.peek<T>(glob);
  }
  stats(): Promise<Rec[]> {
    return this.#inner.stats();
  }
  clear(): Promise<void> {
    return this.#inner.clear();
  }
  /** The real engine belongs to the round, which closes it. */
  async close(): Promise<void> {}
}
