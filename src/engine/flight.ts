// One read in flight in this process, shared by every consumer of the same key.
//
// The source (upstream fetch, or an entry another process just wrote) yields chunks: JSON
// arrays of records, one per page. It is pulled on demand — by whichever consumer is ahead —
// so nothing is read faster than someone consumes it. Chunks stay buffered until every
// consumer has passed them; the first RETAIN_BYTES are kept so that a consumer arriving late
// can replay from the start. Once the buffer has dropped its head, the flight takes no new
// consumers (they wait for it to settle and read the fresh entry from the cache instead),
// which keeps memory flat for a 100k-key listing. When the last consumer leaves early, the
// upstream call is aborted and nothing is cached.

/** Replay window for late joiners: listings up to about 1 MiB of JSON share one upstream call. */
const RETAIN_BYTES = 1 << 20;

interface Cursor {
  i: number;
}

export class Flight {
  /** Set by invalidation: the result must not be written to the cache. */
  cancelled = false;
  readonly settled: Promise<void>;
  readonly #controller = new AbortController();
  readonly #start: (signal: AbortSignal) => AsyncIterator<string>;
  readonly #cursors = new Set<Cursor>();
  #source: AsyncIterator<string> | undefined;
  #chunks: string[] = [];
  #base = 0;
  #retained = 0;
  #done = false;
  #failed = false;
  #error: unknown;
  #pulling: Promise<void> | undefined;
  #settle!: () => void;

  constructor(start: (signal: AbortSignal) => AsyncIterator<string>) {
    this.#start = start;
    this.settled = new Promise((resolve) => (this.#settle = resolve));
  }

  /** Whether a new consumer can still see every chunk from the first. */
  get joinable(): boolean {
    return !this.#done && this.#base === 0 && !this.#controller.signal.aborted;
  }

  async *consume(signal?: AbortSignal): AsyncGenerator<string> {
    const cursor: Cursor = { i: this.#base };
    this.#cursors.add(cursor);
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (cursor.i < this.#base + this.#chunks.length) {
          const chunk = this.#chunks[cursor.i - this.#base];
          cursor.i++;
          this.#trim();
          yield chunk;
          continue;
        }
        if (this.#done) {
          if (this.#failed) throw this.#error;
          return;
        }
        await this.#pull(signal);
      }
    } finally {
      this.#cursors.delete(cursor);
      this.#trim();
      if (this.#cursors.size === 0 && !this.#done) this.#abandon();
    }
  }

  #pull(signal?: AbortSignal): Promise<void> {
    this.#source ??= this.#start(this.#controller.signal);
    this.#pulling ??= this.#source.next().then(
      (r) => {
        this.#pulling = undefined;
        if (r.done) this.#finish();
        else {
          this.#chunks.push(r.value);
          if (this.#base === 0) this.#retained += r.value.length;
        }
      },
      (err) => {
        this.#pulling = undefined;
        this.#failed = true;
        this.#error = err;
        this.#finish();
      },
    );
    if (!signal) return this.#pulling;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pulling!.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  #trim(): void {
    if (this.#retained <= RETAIN_BYTES && !this.#done) return;
    let min = Number.POSITIVE_INFINITY;
    for (const c of this.#cursors) min = Math.min(min, c.i);
    if (min === Number.POSITIVE_INFINITY) return;
    const drop = min - this.#base;
    if (drop > 0) {
      this.#chunks.splice(0, drop);
      this.#base = min;
    }
  }

  #abandon(): void {
    this.#done = true;
    this.#failed = true;
    this.#error = new Error('abandoned by every consumer');
    this.#controller.abort(this.#error);
    const source = this.#source;
    if (source?.return) {
      const wait = this.#pulling ?? Promise.resolve();
      void wait.then(() => source.return!()).catch(() => undefined).finally(() => this.#settle());
    } else {
      this.#settle();
    }
  }

  #finish(): void {
    this.#done = true;
    this.#settle();
  }
}
