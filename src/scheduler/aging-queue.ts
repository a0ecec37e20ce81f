// The lane's wait queue, plugged into p-queue as its `queueClass`: priorities with aging.
//
// A job's effective priority is `level + waited / agingMs`, so every `agingMs` of waiting lifts it
// one level and nothing waits for ever behind a stream of interactive work. Comparing two jobs by
// that sum gives the same answer at any moment, as it reduces to comparing
// `enqueuedAt - level * agingMs`: a virtual deadline fixed at enqueue, so the clock is read only
// when a job enters. Jobs of one level arrive in deadline order, so each level is a FIFO array
// (a retry, which keeps its old deadline, is inserted in place) and dequeue compares four heads:
// O(1), where a heap over 100k queued jobs cost ~2 µs per pop. A cancelled job is marked and
// skipped when it reaches a head; `size` counts live jobs only, as the dashboard shows it.

import type { QueueAddOptions } from 'p-queue';
import type { Priority } from './types.js';

export const PRIORITY_LEVEL: Record<Priority, number> = { interactive: 3, enrichment: 2, readahead: 1, warming: 0 };
const LEVELS = 4;
/** Drop a bucket's consumed prefix once it is this long and more than half the array. */
const COMPACT_AFTER = 1024;

type Run = () => Promise<unknown>;

/** A queued job as the queue holds it; the lane's ticket is one, so no wrapper is allocated. */
export interface QueueEntry {
  /** Virtual deadline: enqueue time minus level × agingMs. */
  deadline: number;
  /** 0 (warming) … 3 (interactive): which bucket holds it. */
  level: number;
  /** Arrival order, the tie-break among equal deadlines (FIFO). */
  seq: number;
  /** Set while queued; cleared when dequeued or removed. */
  run: Run | undefined;
}

/** What the lane passes through p-queue's `add(fn, options)` to `enqueue(run, options)`. */
export interface QueueEntryOptions extends QueueAddOptions {
  entry: QueueEntry;
}

interface Bucket {
  items: QueueEntry[];
  head: number;
}

function before(a: QueueEntry, b: QueueEntry): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

export class AgingQueue {
  readonly #buckets: Bucket[] = Array.from({ length: LEVELS }, () => ({ items: [], head: 0 }));
  #size = 0;
  #seq = 0;

  get size(): number {
    return this.#size;
  }

  enqueue(run: Run, options?: Partial<QueueEntryOptions>): void {
    const entry = options?.entry ?? { deadline: 0, level: 0, seq: 0, run };
    entry.run = run;
    entry.seq = this.#seq++;
    const { items, head } = this.#buckets[entry.level];
    if (items.length === head || !before(entry, items[items.length - 1])) {
      items.push(entry);
    } else {
      let lo = head;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(items[mid], entry)) lo = mid + 1;
        else hi = mid;
      }
      items.splice(lo, 0, entry);
    }
    this.#size++;
  }

  dequeue(): Run | undefined {
    const best = this.#bestBucket();
    if (!best) return undefined;
    const entry = this.#take(best);
    const run = entry.run;
    entry.run = undefined;
    return run;
  }

  /**
   * Takes out the best queued entry if it ranks before `entry` (which has left the queue), so a
   * slot that waited for a shared rate token gives it to the job that is best now. The taken
   * entry's p-queue run is dropped: the caller runs its job itself.
   */
  takeBefore(entry: QueueEntry): QueueEntry | undefined {
    const best = this.#bestBucket();
    if (!best || !before(best.items[best.head], entry)) return undefined;
    const taken = this.#take(best);
    taken.run = undefined;
    return taken;
  }

  /** Takes a still-queued job out; false if it already left the queue. */
  cancel(entry: QueueEntry): boolean {
    if (entry.run === undefined) return false;
    entry.run = undefined;
    this.#size--;
    return true;
  }

  /** Every queued run, in no particular order (p-queue's `sizeBy` only counts them). */
  filter(): Run[] {
    const runs: Run[] = [];
    for (const { items, head } of this.#buckets) {
      for (let i = head; i < items.length; i++) {
        const run = items[i].run;
        if (run) runs.push(run);
      }
    }
    return runs;
  }

  /** p-queue's setPriority by id; the lane never assigns ids, so there is nothing to find. */
  setPriority(id: string): void {
    throw new ReferenceError(`No promise function with the id "${id}" exists in the queue.`);
  }

  #bestBucket(): Bucket | undefined {
    let best: Bucket | undefined;
    for (const bucket of this.#buckets) {
      const { items } = bucket;
      while (bucket.head < items.length && items[bucket.head].run === undefined) bucket.head++;
      if (bucket.head < items.length && (!best || before(items[bucket.head], best.items[best.head]))) best = bucket;
    }
    return best;
  }

  /** Removes the live head of `bucket` and returns it; the caller clears its run. */
  #take(bucket: Bucket): QueueEntry {
    const entry = bucket.items[bucket.head++];
    this.#compact(bucket);
    this.#size--;
    return entry;
  }

  #compact(bucket: Bucket): void {
    if (bucket.head === bucket.items.length) {
      bucket.items.length = 0;
      bucket.head = 0;
    } else if (bucket.head > COMPACT_AFTER && bucket.head > bucket.items.length / 2) {
      bucket.items.splice(0, bucket.head);
      bucket.head = 0;
    }
  }
}
