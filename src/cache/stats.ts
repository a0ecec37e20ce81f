// Per-tier counters. This process's counts live in memory; on close they are appended as one
// line to <cache dir>/cache-stats.log (O_APPEND: concurrent processes never interleave a line),
// so `cache stats` in a new process shows the history. The log is folded into one line when it
// grows past 256 KiB; a line appended during the fold may be lost, so history is approximate
// under heavy concurrency — counts are for reading, never for deciding.

import fs from 'node:fs';

export type TierName = 'memory' | 'disk' | 'redis';
export const TIERS: readonly TierName[] = ['memory', 'disk', 'redis'];

export interface TierCounters {
  hits: number;
  misses: number;
  stale: number;
  inflight: number;
  refresh: number;
  sets: number;
  evictions: number;
  errors: number;
}

type Counts = Record<TierName, TierCounters>;
export type CountedOutcome = keyof TierCounters;

const FOLD_BYTES = 256 * 1024;

function zero(): Counts {
  const z = (): TierCounters => ({ hits: 0, misses: 0, stale: 0, inflight: 0, refresh: 0, sets: 0, evictions: 0, errors: 0 });
  return { memory: z(), disk: z(), redis: z() };
}

function add(into: Counts, from: Partial<Record<TierName, Partial<TierCounters>>>): void {
  for (const tier of TIERS) {
    const src = from[tier];
    if (!src) continue;
    for (const k of Object.keys(into[tier]) as CountedOutcome[]) {
      const v = src[k];
      if (typeof v === 'number' && Number.isFinite(v)) into[tier][k] += v;
    }
  }
}

export class CacheStats {
  #current = zero();
  #dirty = false;
  #file: string | undefined;

  /** Where history is kept; undefined keeps counts in memory only (no writable cache dir). */
  setFile(file: string | undefined): void {
    this.#file = file;
  }

  count(tier: TierName, outcome: CountedOutcome): void {
    this.#current[tier][outcome]++;
    this.#dirty = true;
  }

  /** History (from the log) plus this process. */
  totals(): Counts {
    const sum = this.#file ? readLog(this.#file) : zero();
    add(sum, this.#current);
    return sum;
  }

  /** Appends this process's counts to the log and starts counting from zero. */
  flush(): void {
    if (!this.#file || !this.#dirty) return;
    try {
      fs.appendFileSync(this.#file, JSON.stringify(this.#current) + '\n', { mode: 0o600 });
      this.#current = zero();
      this.#dirty = false;
      if (fs.statSync(this.#file).size > FOLD_BYTES) this.#fold();
    } catch {
      // Stats are best effort: a full disk must not fail the command.
    }
  }

  /** Deletes the history (with `cache clear`). */
  reset(): void {
    this.#current = zero();
    if (this.#file) fs.rmSync(this.#file, { force: true });
  }

  #fold(): void {
    const file = this.#file!;
    const totals = readLog(file);
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(totals) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  }
}

/** The sum of every line of a stats log; a missing log is all zeros. */
function readLog(file: string): Counts {
  const sum = zero();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return sum; // no history yet
  }
  for (const line of text.split('\n')) {
    try {
      if (line.trim()) add(sum, JSON.parse(line));
    } catch {
      // A torn line (a crash mid-append) is skipped; the lines after it still count.
    }
  }
  return sum;
}
