// Cross-process dedup: one lock file per key in <cache dir>/locks, created with O_EXCL. The
// holder fetches and writes the entry; others poll until the lock is gone, then read L2.
//
// A lock is stale when its holder is a dead pid on this host, or when its mtime (refreshed by
// a heartbeat every staleMs/3) is older than staleMs — a crashed holder on another host sharing
// the directory. A stale lock is taken over by renaming it aside (only one process wins the
// rename) and checking that the renamed file is the one judged stale; release unlinks only a
// lock whose token is ours. The worst race costs one duplicate fetch, never a lost entry.

import nodeFs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { isAlive } from '../util/pid.js';
import { sleep } from '../util/sleep.js';

interface LockOptions {
  /** The cache directory; locks go to <dir>/locks. */
  dir: string;
  now(): number;
  /** A lock not refreshed for this long is stale. @default 30000 */
  staleMs?: number;
  /** Time between two looks at a held lock. @default 25 */
  pollMs?: number;
}

export interface Lock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

export class LockDir {
  readonly #dir: string;
  readonly #now: () => number;
  readonly #staleMs: number;
  readonly #pollMs: number;
  readonly #host = os.hostname();

  constructor(opts: LockOptions) {
    this.#dir = path.join(opts.dir, 'locks');
    this.#now = opts.now;
    this.#staleMs = opts.staleMs ?? 30_000;
    this.#pollMs = opts.pollMs ?? 25;
  }

  init(): void {
    nodeFs.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  #file(key: string): string {
    return path.join(this.#dir, createHash('sha1').update(key).digest('hex') + '.lock');
  }

  /** The lock file of `key` (for messages and tests). */
  fileOf(key: string): string {
    return this.#file(key);
  }

  /** Who holds the lock on `key` now, if anyone does and the lock is not stale. */
  holder(key: string): { pid: number; host: string } | undefined {
    const file = this.#file(key);
    const current = this.#read(file);
    if (!current || this.#isStale(file, current.holder)) return undefined;
    return { pid: current.holder.pid, host: current.holder.host };
  }

  /** The lock, or undefined while another live process holds it. */
  tryAcquire(key: string): Lock | undefined {
    const file = this.#file(key);
    const holder: Holder = { pid: process.pid, host: this.#host, token: randomBytes(8).toString('hex') };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = nodeFs.openSync(file, 'wx', 0o600);
        nodeFs.writeSync(fd, JSON.stringify(holder));
        const t = this.#now() / 1000;
        nodeFs.futimesSync(fd, t, t);
        nodeFs.closeSync(fd);
        return this.#held(file, holder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (!this.#takeOverIfStale(file)) return undefined;
      }
    }
    return undefined;
  }

  /** Resolves once the lock on `key` is free or stale (or the signal aborts). */
  async waitWhileHeld(key: string, signal?: AbortSignal): Promise<void> {
    const file = this.#file(key);
    while (!signal?.aborted) {
      const current = this.#read(file);
      if (!current || this.#isStale(file, current.holder)) return;
      await sleep(this.#pollMs * (0.5 + Math.random()), signal, { resolveOnAbort: true });
    }
  }

  #held(file: string, holder: Holder): Lock {
    const heartbeat = setInterval(() => {
      const t = this.#now() / 1000;
      try {
        nodeFs.utimesSync(file, t, t);
      } catch {
        // Lost the lock (taken over as stale): the entry is still written, at worst twice.
      }
    }, this.#staleMs / 3);
    heartbeat.unref();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        if (this.#read(file)?.holder.token === holder.token) {
          try {
            nodeFs.unlinkSync(file);
          } catch {
            // Already gone.
          }
        }
      },
    };
  }

  #read(file: string): { holder: Holder; text: string } | undefined {
    try {
      const text = nodeFs.readFileSync(file, 'utf8');
      return { holder: JSON.parse(text) as Holder, text };
    } catch {
      // Absent, or being written right now (empty): treat a just-created lock as held.
      return nodeFs.existsSync(file) ? { holder: { pid: -1, host: '', token: '' }, text: '' } : undefined;
    }
  }

  #isStale(file: string, holder: Holder): boolean {
    if (holder.host === this.#host && holder.pid > 0 && !isAlive(holder.pid)) return true;
    try {
      return this.#now() - nodeFs.statSync(file).mtimeMs > this.#staleMs;
    } catch {
      return true;
    }
  }

  #takeOverIfStale(file: string): boolean {
    const current = this.#read(file);
    if (!current) return true;
    if (!this.#isStale(file, current.holder)) return false;
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      nodeFs.renameSync(file, aside);
    } catch {
      return true;
    }
    const moved = (() => {
      try {
        return nodeFs.readFileSync(aside, 'utf8');
      } catch {
        return undefined;
      }
    })();
    if (moved !== current.text) {
      // We moved a fresh lock taken by someone else meanwhile: put it back if the slot is free.
      try {
        nodeFs.linkSync(aside, file);
      } catch {
        // Someone holds the slot again; the fresh holder's entry is written regardless.
      }
    }
    nodeFs.rmSync(aside, { force: true });
    return moved === current.text;
  }
}
