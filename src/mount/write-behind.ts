// Write-behind: a file opened for writing is staged in <cache dir>/mount-pending/<pid>-<id>.data.
// Contiguous small writes are coalesced in memory (up to COALESCE_BYTES) and land in the staging
// file as one write; the object is uploaded on flush / fsync / release while dirty (one PUT, or
// multipart with parallel parts when large), and fsync resolves only once S3 has it. Operations
// on one file run one at a time, in order (a promise chain), so an upload sees every write made
// before it. A failed upload leaves a sidecar <pid>-<id>.json naming the target next to the data:
// the caller gets EIO, the bytes stay on disk, and the next mount retries them (recoverPending).
// A staging file without a sidecar belongs to a writer that never committed; once its process is
// gone it is removed, so a crash mid-write never produces an object.

import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from './object-store.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isAlive } from '../util/pid.js';

/** Contiguous writes are gathered up to this size before touching the staging file. */
const COALESCE_BYTES = 1024 * 1024;

export interface PendingTarget {
  bucket: string;
  key: string;
  endpoint?: string;
  region: string;
  profile: string;
}

export class DirtyFile {
  readonly key: string;
  readonly path: string;
  readonly #fh: FileHandle;
  readonly #target: PendingTarget;
  #chain: Promise<unknown> = Promise.resolve();
  #pending: { pos: number; chunks: Buffer[]; length: number } | undefined;
  size: number;
  dirty: boolean;
  /** Open handles sharing this staging file. */
  refs = 0;
  /** Unlinked while open: never uploaded. */
  deleted = false;
  /** The last upload failed: the data is kept under mount-pending. */
  failed = false;

  private constructor(key: string, path: string, fh: FileHandle, target: PendingTarget, size: number, dirty: boolean) {
    this.key = key;
    this.path = path;
    this.#fh = fh;
    this.#target = target;
    this.size = size;
    this.dirty = dirty;
  }

  /**
   * Stages `key`; `fill` copies the current object in first (an open without O_TRUNC), and the
   * file starts clean, so closing it unchanged uploads nothing.
   */
  static async create(dir: string, target: PendingTarget, fill?: (fh: FileHandle) => Promise<number>): Promise<DirtyFile> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${process.pid}-${randomUUID()}.data`);
    const fh = await open(path, 'w+');
    try {
      const size = fill ? await fill(fh) : 0;
      return new DirtyFile(target.key, path, fh, target, size, !fill);
    } catch (err) {
      await fh.close();
      await unlink(path).catch(() => undefined);
      throw err;
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#chain.then(fn, fn);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  write(pos: number, data: Buffer): Promise<void> {
    return this.#serial(async () => {
      const p = this.#pending;
      if (p && pos === p.pos + p.length && p.length + data.length <= COALESCE_BYTES) {
        p.chunks.push(data);
        p.length += data.length;
      } else {
        await this.#spill();
        if (data.length >= COALESCE_BYTES) await this.#fh.write(data, 0, data.length, pos);
        else this.#pending = { pos, chunks: [data], length: data.length };
      }
      this.size = Math.max(this.size, pos + data.length);
      this.dirty = true;
    });
  }

  async #spill(): Promise<void> {
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    const buf = p.chunks.length === 1 ? p.chunks[0] : Buffer.concat(p.chunks, p.length);
    await this.#fh.write(buf, 0, buf.length, p.pos);
  }

  read(pos: number, len: number, out: Buffer): Promise<number> {
    return this.#serial(async () => {
      await this.#spill();
      const n = Math.max(0, Math.min(len, this.size - pos));
      if (n === 0) return 0;
      const { bytesRead } = await this.#fh.read(out, 0, n, pos);
      return bytesRead;
    });
  }

  truncate(size: number): Promise<void> {
    return this.#serial(async () => {
      await this.#spill();
      await this.#fh.truncate(size);
      this.size = size;
      this.dirty = true;
    });
  }

  /** Uploads when dirty; resolves once S3 has the data. On failure the data stays for retry. */
  upload(store: ObjectStore): Promise<boolean> {
    return this.#serial(async () => {
      if (!this.dirty || this.deleted) return false;
      await this.#spill();
      await this.#fh.datasync();
      try {
        await store.upload(this.key, this.path, this.size);
      } catch (err) {
        this.failed = true;
        await writeFileAtomic(sidecarOf(this.path), JSON.stringify({ ...this.#target, size: this.size, error: String((err as Error)?.message ?? err) }));
        throw err;
      }
      this.dirty = false;
      if (this.failed) {
        this.failed = false;
        await unlink(sidecarOf(this.path)).catch(() => undefined);
      }
      return true;
    });
  }

  /**
   * Marks the staged data for retry by the next mount (writes the sidecar now, outside the
   * operation chain: an upload may still be running and would remove it on success).
   */
  async keepForRetry(reason: string): Promise<void> {
    this.failed = true;
    await writeFileAtomic(sidecarOf(this.path), JSON.stringify({ ...this.#target, size: this.size, error: reason }));
  }

  /** Closes the staging file; removes it unless a failed upload must be kept for retry. */
  close(): Promise<void> {
    return this.#serial(async () => {
      await this.#spill();
      await this.#fh.close();
      if (!(this.failed && this.dirty && !this.deleted)) await unlink(this.path).catch(() => undefined);
    });
  }
}

function sidecarOf(dataPath: string): string {
  return dataPath.replace(/\.data$/, '.json');
}


export interface RecoveryReport {
  retried: number;
  uploaded: number;
  stillPending: number;
  discarded: number;
}

/**
 * Retries uploads left by failed or crashed runs for this bucket and endpoint, and removes
 * staging files of writers that never committed (their process is gone).
 */
export async function recoverPending(dir: string, target: Omit<PendingTarget, 'key'>, store: ObjectStore): Promise<RecoveryReport> {
  const report: RecoveryReport = { retried: 0, uploaded: 0, stillPending: 0, discarded: 0 };
  const names = await readdir(dir).catch(() => [] as string[]);
  const sidecars = new Set(names.filter((n) => n.endsWith('.json')));
  for (const name of names) {
    if (!name.endsWith('.data')) continue;
    const pid = Number(name.split('-')[0]);
    const data = join(dir, name);
    const sidecar = name.replace(/\.data$/, '.json');
    if (isAlive(pid) && pid !== process.pid) continue;
    if (!sidecars.has(sidecar)) {
      await unlink(data).catch(() => undefined);
      report.discarded++;
      continue;
    }
    let meta: PendingTarget & { size: number };
    try {
      meta = JSON.parse(await readFile(join(dir, sidecar), 'utf8'));
    } catch {
      continue;
    }
    if (meta.bucket !== target.bucket || (meta.endpoint ?? '') !== (target.endpoint ?? '') || meta.region !== target.region) continue;
    report.retried++;
    try {
      await store.upload(meta.key, data, meta.size);
      await unlink(data);
      await unlink(join(dir, sidecar));
      report.uploaded++;
    } catch {
      report.stillPending++;
    }
  }
  return report;
}

/** Staging files kept for retry (with a sidecar), for the stats. */
export async function countPending(dir: string): Promise<number> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).length;
}
