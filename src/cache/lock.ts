// Cross-process dedup: one lock file per key in <cache dir>/locks, created with O_EXCL. The
// holder fetches and writes the entry; others poll until the lock is gone, then read L2.
//
// A lock is stale when its holder is a dead pid on this host, or when its mtime (refreshed by
// a heartbeat every staleMs/3) is older than staleMs — a crashed holder on another host sharing
// the directory. A stale lock is taken over by renaming it aside (only one process wins the
// rename) and checking that the renamed file is the one judged stale; release unlinks only a
// lock whose token is ours. The worst race costs one duplicate fetch, never a lost entry.
//
// A lock file naming no holder (empty or torn: its writer hit a full disk or died between open
// and write) is stale once it is UNNAMED_GRACE_MS old; a writer that fails removes its own file.

import nodeFs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { isAlive } from '../util/pid.js';
import { sleep } from '../util/sleep.js';

/** How long a lock file may stay without a holder written in it: its writer is between open and write. */
const UNNAMED_GRACE_MS = 2_000;

/** The file operations of the locks; injectable so a test can make a write fail (ENOSPC). */
export type LockFileOps = Pick<
  typeof nodeFs,
  'mkdirSync' | 'openSync' | 'writeSync' | 'futimesSync' | 'closeSync' | 'readFileSync' | 'statSync' | 'utimesSync' | 'renameSync' | 'linkSync' | 'unlinkSync' | 'rmSync'
>;

interface LockOptions {
  /** The cache directory; locks go to <dir>/locks. */
  dir: string;
  now(): number;
  /** A lock not refreshed for this long is stale. @default 30000 */
  staleMs?: number;
  /** Time between two looks at a held lock. @default 25 */
  pollMs?: number;
  /** @default node:fs */
  fs?: LockFileOps;
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
  readonly #fs: LockFileOps;
  readonly #host = os.hostname();

  constructor(opts: LockOptions) {
    this.#dir = path.join(opts.dir, 'locks');
    this.#now = opts.now;
    this.#staleMs = opts.staleMs ?? 30_000;
    this.#pollMs = opts.pollMs ?? 25;
    this.#fs = opts.fs ?? nodeFs;
  }

  init(): void {
    this.#fs.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  #file(key: string): string {
    return path.join(this.#dir, createHash('sha1').update(key).digest('hex') + '.lock');
  }

  /** The lock file of `key` (for messages and tests). */
  fileOf(key: string): string {
    return this.#file(key);
  }

  /** Who holds the lock on `key` now, if the lock is not stale and names its holder. */
  holder(key: string): { pid: number; host: string } | undefined {
    const file = this.#file(key);
    const current = this.#read(file);
    if (!current?.holder || this.#isStale(file, current.holder)) return undefined;
    return { pid: current.holder.pid, host: current.holder.host };
  }

  /** The lock, or undefined while another live process holds it. */
  tryAcquire(key: string): Lock | undefined {
    const file = this.#file(key);
    const holder: Holder = { pid: process.pid, host: this.#host, token: randomBytes(8).toString('hex') };
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd: number;
      try {
        fd = this.#fs.openSync(file, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (!this.#takeOverIfStale(file)) return undefined;
        continue;
      }
      this.#writeHolder(fd, file, holder);
      return this.#held(file, holder);
    }
    return undefined;
  }

  /** Writes the holder into a just-created lock file; on failure removes the file and throws. */
  #writeHolder(fd: number, file: string, holder: Holder): void {
    try {
      this.#fs.writeSync(fd, JSON.stringify(holder));
      const t = this.#now() / 1000;
      this.#fs.futimesSync(fd, t, t);
    } catch (err) {
      this.#fs.closeSync(fd);
      this.#fs.rmSync(file, { force: true });
      throw err;
    }
    this.#fs.closeSync(fd);
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
        this.#fs.utimesSync(file, t, t);
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
        if (this.#read(file)?.holder?.token === holder.token) {
          try {
            this.#fs.unlinkSync(file);
          } catch {
            // Already gone.
          }
        }
      },
    };
  }

  /** The lock file's text and the holder it names (none when empty or torn); undefined when absent. */
  #read(file: string): { holder?: Holder; text: string } | undefined {
    let text: string;
    try {
      text = this.#fs.readFileSync(file, 'utf8');
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : { text: '' };
    }
    try {
      const holder = JSON.parse(text) as Holder | null;
      return typeof holder?.pid === 'number' ? { holder, text } : { text };
    } catch {
      return { text };
    }
  }

  #isStale(file: string, holder: Holder | undefined): boolean {
    if (holder?.host === this.#host && holder.pid > 0 && !isAlive(holder.pid)) return true;
    try {
      return this.#now() - this.#fs.statSync(file).mtimeMs > (holder ? this.#staleMs : UNNAMED_GRACE_MS);
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
      this.#fs.renameSync(file, aside);
    } catch {
      return true;
    }
    const moved = (() => {
      try {
        return this.#fs.readFileSync(aside, 'utf8');
      } catch {
        return undefined;
      }
    })();
    if (moved !== current.text) {
      // We moved a fresh lock taken by someone else meanwhile: put it back if the slot is free.
      try {
        this.#fs.linkSync(aside, file);
      } catch {
        // Someone holds the slot again; the fresh holder's entry is written regardless.
      }
    }
    this.#fs.rmSync(aside, { force: true });
    return moved === current.text;
  }
}
