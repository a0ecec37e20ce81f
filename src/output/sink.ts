// A batched text sink over a Writable: output is gathered into ~64 KB chunks before each
// write (per-line writes measured 2.5x slower on 100k records) and honours backpressure.
// When the producer goes quiet (a slow listing, `tasks watch`), what is gathered is written
// after IDLE_FLUSH_MS, so a stream shows its records as they come.
// A closed pipe (`strata ... | head`) ends the stream quietly: EPIPE becomes `closed`.

import type { Writable } from 'node:stream';

const BATCH_BYTES = 64 * 1024;
const IDLE_FLUSH_MS = 25;

export class Sink {
  readonly #out: Writable;
  #parts: string[] = [];
  #size = 0;
  #closed = false;
  #idle: NodeJS.Timeout | undefined;

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.#closed = true;
    });
  }

  /** True once the reader went away; producers should stop. */
  get closed(): boolean {
    return this.#closed || this.#out.destroyed;
  }

  /**
   * Gathers `text`; returns a promise only when a batch is being written, so a renderer awaits
   * once per ~64 KB rather than once per record: `const p = sink.write(t); if (p) await p;`.
   */
  write(text: string): Promise<void> | undefined {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= BATCH_BYTES) return this.flush();
    if (!this.#idle) {
      this.#idle = setTimeout(() => void this.flush(), IDLE_FLUSH_MS);
      this.#idle.unref();
    }
    return undefined;
  }

  async flush(): Promise<void> {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    if (this.#parts.length === 0 || this.closed) {
      this.#parts = [];
      this.#size = 0;
      return;
    }
    const chunk = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    const ok = this.#out.write(chunk);
    if (!ok && !this.closed) await waitForDrain(this.#out);
  }
}

function waitForDrain(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
    out.once('error', done);
  });
}
