// The FUSE operations: paths under the mount map to keys under `s3://bucket/prefix/`; a common
// prefix is a directory; mkdir/rmdir manage the 'dir/' marker object; rename is copy + delete
// (for a file, or a directory of up to RENAME_DIR_LIMIT objects — beyond that EXDEV, and `mv`
// falls back to copying by itself). Every callback is answered from an async function or
// synchronously from memory: no sync I/O, nothing that waits on the event loop.
// `/.strata-stats.json` is a read-only virtual file with the mount's figures.

import type { FileHandle } from 'node:fs/promises';
import type { Clock } from '../util/clock.js';
import { ERRNO } from './fuse-loader.js';
import { MetadataCache, parentPrefix } from './metadata.js';
import { isNotFound, type ObjectHead, type ObjectStore } from './object-store.js';
import type { BlockReader, ObjectVersion } from './reader.js';
import { ReadAheadWindow } from './sequential.js';
import type { MountStats } from './stats.js';
import { DirtyFile, type PendingTarget } from './write-behind.js';

export const STATS_FILE = '.strata-stats.json';
const RENAME_DIR_LIMIT = 1000;
const RENAME_PARALLEL = 8;
const O_ACCMODE = 3;
const O_TRUNC = 0o1000;

export class FsError extends Error {
  constructor(readonly errno: number, message = `errno ${errno}`) {
    super(message);
  }
}

type Handle =
  | { kind: 'object'; obj: ObjectVersion; window: ReadAheadWindow }
  | { kind: 'dirty'; file: DirtyFile }
  | { kind: 'virtual'; data: Buffer };

export interface FilesystemOptions {
  prefix: string;
  readOnly: boolean;
  store: ObjectStore;
  meta: MetadataCache;
  reader: BlockReader;
  stats: MountStats;
  clock: Clock;
  pendingDir: string;
  target: Omit<PendingTarget, 'key'>;
  readAhead: { initialWindow: number; maxWindow: number; idleResetMs: number };
  /** The stats snapshot as JSON (for the virtual file). */
  snapshot: () => string;
  /** Reports what went wrong without disturbing the caller (upload failures). */
  warn: (message: string) => void;
}

export class S3Filesystem {
  readonly #o: FilesystemOptions;
  readonly #handles = new Map<number, Handle>();
  readonly #dirty = new Map<string, DirtyFile>();
  #nextFd = 10;
  #stopping = false;
  #statsJson: { at: number; data: Buffer; wall: number } | undefined;
  readonly #uid = process.getuid?.() ?? 0;
  readonly #gid = process.getgid?.() ?? 0;

  constructor(opts: FilesystemOptions) {
    this.#o = opts;
  }

  get dirtyFiles(): number {
    return this.#dirty.size;
  }

  #key(path: string): string {
    return this.#o.prefix + path.replace(/^\/+/, '');
  }

  #stat(kind: 'dir' | 'file', size: number, mtime: number, mode?: number) {
    const t = new Date(mtime || this.#o.stats.startedAt);
    const fileMode = this.#o.readOnly ? 0o100444 : 0o100644;
    return {
      mtime: t, atime: t, ctime: t,
      nlink: kind === 'dir' ? 2 : 1,
      size: kind === 'dir' ? 4096 : size,
      mode: mode ?? (kind === 'dir' ? 0o40755 : fileMode),
      uid: this.#uid, gid: this.#gid,
    };
  }

  /**
   * The stats file's content. A getattr takes a fresh snapshot (at most one a second, the kernel's
   * attribute timeout) and an open serves the latest one, so the size the kernel was told matches
   * the bytes it reads.
   */
  #statsData(fresh: boolean): { data: Buffer; at: number } {
    const now = this.#o.clock.monotonic();
    if (!this.#statsJson || (fresh && now - this.#statsJson.at >= 1000)) {
      this.#statsJson = { at: now, data: Buffer.from(this.#o.snapshot() + '\n'), wall: this.#o.clock.now() };
    }
    return { data: this.#statsJson.data, at: this.#statsJson.wall };
  }

  #writable(): void {
    if (this.#o.readOnly) throw new FsError(ERRNO.EROFS, 'read-only mount');
    if (this.#stopping) throw new FsError(ERRNO.EROFS, 'the mount is shutting down');
  }

  async getattr(path: string) {
    if (path === '/') return this.#stat('dir', 0, 0);
    if (path === `/${STATS_FILE}`) {
      const snap = this.#statsData(true);
      return this.#stat('file', snap.data.length, snap.at, 0o100444);
    }
    const key = this.#key(path);
    const dirty = this.#dirty.get(key);
    if (dirty && !dirty.deleted) return this.#stat('file', dirty.size, this.#o.clock.now());
    const head = await this.#o.meta.head(key);
    if (head) return this.#stat('file', head.size, head.mtime);
    if (await this.#isDir(key)) return this.#stat('dir', 0, 0);
    throw new FsError(ERRNO.ENOENT);
  }

  async #isDir(key: string): Promise<boolean> {
    const parent = this.#o.meta.peekList(parentPrefix(key));
    const name = key.slice(parentPrefix(key).length);
    // A fresh parent listing is authoritative: a negative lookup costs no request.
    if (parent) return parent.dirs.includes(name);
    const listing = await this.#o.meta.list(`${key}/`);
    return listing.marker || listing.dirs.length > 0 || listing.files.size > 0;
  }

  async readdir(path: string): Promise<string[]> {
    const key = path === '/' ? this.#o.prefix : `${this.#key(path)}/`;
    const listing = await this.#o.meta.list(key);
    if (path !== '/' && !listing.marker && listing.dirs.length === 0 && listing.files.size === 0) {
      if (await this.#o.meta.head(this.#key(path))) throw new FsError(ERRNO.ENOTDIR);
    }
    const names = new Set<string>(listing.dirs);
    for (const name of listing.files.keys()) names.add(name);
    for (const [k, d] of this.#dirty) {
      if (!d.deleted && k.startsWith(key) && !k.slice(key.length).includes('/')) names.add(k.slice(key.length));
    }
    if (path === '/') names.add(STATS_FILE);
    return [...names];
  }

  #addHandle(h: Handle): number {
    const fd = this.#nextFd++;
    this.#handles.set(fd, h);
    return fd;
  }

  #handle(fd: number): Handle {
    const h = this.#handles.get(fd);
    if (!h) throw new FsError(ERRNO.EBADF);
    return h;
  }

  async open(path: string, flags: number): Promise<number> {
    const writing = (flags & O_ACCMODE) !== 0;
    if (path === `/${STATS_FILE}`) {
      if (writing) throw new FsError(ERRNO.EACCES);
      return this.#addHandle({ kind: 'virtual', data: this.#statsData(false).data });
    }
    const key = this.#key(path);
    const existing = this.#dirty.get(key);
    if (writing) {
      this.#writable();
      const file = existing ?? (await this.#stage(key, (flags & O_TRUNC) !== 0));
      if (existing && flags & O_TRUNC) await existing.truncate(0);
      file.refs++;
      return this.#addHandle({ kind: 'dirty', file });
    }
    if (existing) {
      existing.refs++;
      return this.#addHandle({ kind: 'dirty', file: existing });
    }
    const head = await this.#o.meta.head(key);
    if (!head) throw new FsError(ERRNO.ENOENT);
    return this.#addHandle({ kind: 'object', obj: { key, etag: head.etag, size: head.size }, window: this.#window() });
  }

  #window(): ReadAheadWindow {
    return new ReadAheadWindow({ ...this.#o.readAhead, clock: this.#o.clock });
  }

  /** A staging file for `key`, with the current object copied in unless truncating. */
  async #stage(key: string, truncate: boolean, upTo = Infinity): Promise<DirtyFile> {
    const head = truncate ? null : await this.#o.meta.head(key);
    const target = { ...this.#o.target, key };
    const fill = head ? (fh: FileHandle) => this.#download({ key, etag: head.etag, size: Math.min(head.size, upTo) }, fh) : undefined;
    const file = await DirtyFile.create(this.#o.pendingDir, target, fill);
    const raced = this.#dirty.get(key);
    if (raced) {
      await file.close();
      return raced;
    }
    this.#dirty.set(key, file);
    return file;
  }

  async #download(obj: ObjectVersion, fh: FileHandle): Promise<number> {
    const r = this.#o.reader;
    for (let i = 0; i * r.blockSize < obj.size; i++) {
      const block = await r.block(obj, i, 'foreground');
      try {
        const n = Math.min(block.length, obj.size - i * r.blockSize);
        await fh.write(block.data, 0, n, i * r.blockSize);
      } finally {
        block.release();
      }
    }
    return obj.size;
  }

  async create(path: string): Promise<number> {
    this.#writable();
    if (path === `/${STATS_FILE}`) throw new FsError(ERRNO.EACCES);
    const key = this.#key(path);
    const existing = this.#dirty.get(key);
    if (existing) await existing.truncate(0);
    const file = existing ?? (await this.#stage(key, true));
    file.deleted = false;
    file.refs++;
    return this.#addHandle({ kind: 'dirty', file });
  }

  /** Fills `out` from the handle: synchronously (a number) when the blocks are in memory. */
  read(fd: number, out: Buffer, len: number, pos: number): number | Promise<number> {
    const h = this.#handle(fd);
    if (h.kind === 'virtual') {
      const n = Math.max(0, Math.min(len, h.data.length - pos));
      if (n > 0) h.data.copy(out, 0, pos, pos + n);
      return n;
    }
    if (h.kind === 'dirty') return h.file.read(pos, len, out);
    const window = h.window.observe(pos, len);
    return this.#o.reader.read(h.obj, pos, len, out, window);
  }

  get readaheadResets(): number {
    let n = 0;
    for (const h of this.#handles.values()) if (h.kind === 'object') n += h.window.resets;
    return n + this.#closedResets;
  }
  #closedResets = 0;

  async write(fd: number, data: Buffer, pos: number): Promise<number> {
    const h = this.#handle(fd);
    if (h.kind !== 'dirty') throw new FsError(ERRNO.EBADF);
    await h.file.write(pos, data);
    this.#o.stats.bytes.written += data.length;
    return data.length;
  }

  /** flush and fsync: resolves once S3 has the data; EIO when the upload failed (data kept). */
  async sync(fd: number): Promise<void> {
    const h = this.#handle(fd);
    if (h.kind === 'dirty') await this.#upload(h.file);
  }

  async #upload(file: DirtyFile): Promise<void> {
    try {
      if (await file.upload(this.#o.store)) {
        this.#o.stats.writes.uploads++;
        await this.#o.meta.invalidate(file.key);
      }
    } catch (err) {
      this.#o.stats.writes.failedUploads++;
      this.#o.warn(`upload of s3://${this.#o.store.bucket}/${file.key} failed, kept in ${file.path} for retry: ${(err as Error).message}`);
      throw new FsError(ERRNO.EIO, (err as Error).message);
    }
  }

  async release(fd: number): Promise<void> {
    const h = this.#handle(fd);
    this.#handles.delete(fd);
    if (h.kind === 'object') this.#closedResets += h.window.resets;
    if (h.kind !== 'dirty') return;
    const file = h.file;
    if (--file.refs > 0) return;
    try {
      await this.#upload(file);
    } finally {
      if (file.refs === 0 && this.#dirty.get(file.key) === file) {
        this.#dirty.delete(file.key);
        await file.close();
      }
    }
  }

  async truncate(path: string, size: number): Promise<void> {
    this.#writable();
    const key = this.#key(path);
    const open = this.#dirty.get(key);
    if (open) return open.truncate(size);
    if (!(await this.#o.meta.head(key))) throw new FsError(ERRNO.ENOENT);
    const file = await this.#stage(key, size === 0, size);
    file.refs++;
    try {
      await file.truncate(size);
      await this.#upload(file);
    } finally {
      if (--file.refs === 0 && this.#dirty.get(key) === file) {
        this.#dirty.delete(key);
        await file.close();
      }
    }
  }

  async ftruncate(fd: number, size: number): Promise<void> {
    const h = this.#handle(fd);
    if (h.kind !== 'dirty') throw new FsError(ERRNO.EBADF);
    await h.file.truncate(size);
  }

  async unlink(path: string): Promise<void> {
    this.#writable();
    const key = this.#key(path);
    const dirty = this.#dirty.get(key);
    if (dirty) dirty.deleted = true;
    const head = await this.#o.meta.head(key);
    if (!head && !dirty) throw new FsError(ERRNO.ENOENT);
    if (head) await this.#o.store.delete(key);
    await this.#o.meta.invalidate(key);
  }

  async mkdir(path: string): Promise<void> {
    this.#writable();
    const key = this.#key(path);
    if ((await this.#o.meta.head(key)) || (await this.#isDir(key))) throw new FsError(ERRNO.EEXIST);
    await this.#o.store.putEmpty(`${key}/`);
    await this.#o.meta.invalidate(`${key}/`);
  }

  async rmdir(path: string): Promise<void> {
    this.#writable();
    const key = this.#key(path);
    await this.#o.meta.invalidate(`${key}/`);
    const listing = await this.#o.meta.list(`${key}/`);
    if (listing.dirs.length > 0 || listing.files.size > 0) throw new FsError(ERRNO.ENOTEMPTY);
    if (!listing.marker) throw new FsError(ERRNO.ENOENT);
    await this.#o.store.delete(`${key}/`);
    await this.#o.meta.invalidate(`${key}/`);
  }

  async rename(from: string, to: string): Promise<void> {
    this.#writable();
    const src = this.#key(from);
    const dst = this.#key(to);
    const dirty = this.#dirty.get(src);
    if (dirty) await this.#upload(dirty);
    const head = await this.#o.meta.head(src);
    if (head) {
      await this.#o.store.copy(src, dst);
      await this.#o.store.delete(src);
    } else {
      await this.#renameDir(src, dst);
    }
    await this.#o.meta.invalidate(src);
    await this.#o.meta.invalidate(dst);
    await this.#o.meta.invalidate(`${src}/`);
    await this.#o.meta.invalidate(`${dst}/`);
  }

  async #renameDir(src: string, dst: string): Promise<void> {
    const keys: Array<{ key: string; head: ObjectHead }> = [];
    for await (const o of this.#o.store.listRecursive(`${src}/`)) {
      keys.push(o);
      if (keys.length > RENAME_DIR_LIMIT) throw new FsError(ERRNO.EXDEV, 'directory too large to rename in place');
    }
    if (keys.length === 0) throw new FsError(ERRNO.ENOENT);
    const moves = keys.map(({ key }) => ({ from: key, to: `${dst}/${key.slice(src.length + 1)}` }));
    await inBatches(moves, RENAME_PARALLEL, (m) => this.#o.store.copy(m.from, m.to));
    await inBatches(moves, RENAME_PARALLEL, (m) => this.#o.store.delete(m.from).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))));
  }

  /** Shutdown has begun: opening a file for writing answers EROFS from now on. */
  stopAcceptingWrites(): void {
    this.#stopping = true;
  }

  /**
   * Uploads every dirty file (unmount, SIGTERM), in parallel, within `withinMs`; resolves with the
   * keys not uploaded. A file still uploading at the deadline gets its retry sidecar at once, so
   * the next mount uploads it even if this process ends before its upload does.
   */
  async flushAll(withinMs: number): Promise<string[]> {
    const files = [...this.#dirty.values()].filter((f) => f.dirty && !f.deleted);
    const outcome = new Map<DirtyFile, boolean>();
    const all = Promise.all(files.map((f) => this.#upload(f).then(() => outcome.set(f, true), () => outcome.set(f, false))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, withinMs)))]);
    clearTimeout(timer);
    const notDone = files.filter((f) => outcome.get(f) !== true);
    await Promise.all(notDone.filter((f) => !outcome.has(f)).map((f) => f.keepForRetry('unmounted before the upload finished')));
    return notDone.map((f) => f.key);
  }

  statfs() {
    const big = 2 ** 40;
    return { bsize: 4096, frsize: 4096, blocks: big, bfree: big, bavail: big, files: 1e9, ffree: 1e9, favail: 1e9, fsid: 0, flag: 0, namemax: 1024 };
  }
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
