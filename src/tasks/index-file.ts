// The persisted index: `<cacheDir>/tasks/<sha1 of the absolute folder>.idx`, read in one go on a
// warm start without any YAML. Layout, so a cold build can stream records to disk as it parses:
//
//   [record JSON, record JSON, ...][column JSON]...[meta JSON][trailer: magic(8) metaOff(8) metaLen(8)]
//
// Columns (one JSON array per field, row-aligned, rows sorted by path) are parsed only when a
// query touches them; records are read by byte range only for rows that are output. The file is
// a cache: it is written to a temp name and renamed (atomic), not fsynced; a torn or foreign
// file fails the trailer or meta check and counts as a miss, never an error.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MAGIC = 'STRIDX01';
const TRAILER = 24;
/** Batch size of index writes: few syscalls, bounded memory while a cold build streams. */
const FLUSH_BYTES = 1 << 20;
export const INDEX_VERSION = 1;

export interface IndexedProblem {
  path: string;
  size: number;
  mtimeMs: number;
  line: number;
  reason: string;
}

export interface IndexMeta {
  v: number;
  dir: string;
  n: number;
  /** Folder-relative directories scanned, with their mtime (unchanged ones need no readdir). */
  dirs: [string, number][];
  cols: Record<string, [number, number]>;
  problems: IndexedProblem[];
  /** Derived from all rows; valid as long as no file changed. */
  derived: unknown;
}

export function indexPathFor(cacheDir: string, dir: string): string {
  const hash = createHash('sha1').update(path.resolve(dir)).digest('hex').slice(0, 20);
  return path.join(cacheDir, 'tasks', `${hash}.idx`);
}

/** An index opened for reading: meta parsed, columns and records read on demand. */
export class IndexReader {
  readonly meta: IndexMeta;
  /** The index file's own mtime: files modified at or after it (minus slack) are re-checked. */
  readonly mtimeMs: number;
  readonly #fd: number;
  #scratch = Buffer.allocUnsafe(4096);

  private constructor(fd: number, meta: IndexMeta, mtimeMs: number) {
    this.#fd = fd;
    this.meta = meta;
    this.mtimeMs = mtimeMs;
  }

  /** Opens the index, or returns undefined when it is absent, torn, foreign or of another version. */
  static open(file: string, dir: string): IndexReader | undefined {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return undefined;
    }
    const reader = IndexReader.fromFd(fd, dir);
    if (!reader) fs.closeSync(fd);
    return reader;
  }

  /** Reads the trailer and meta of an open index file; undefined when they do not check out. */
  static fromFd(fd: number, dir: string): IndexReader | undefined {
    try {
      const st = fs.fstatSync(fd);
      if (st.size < TRAILER) return undefined;
      const trailer = Buffer.alloc(TRAILER);
      fs.readSync(fd, trailer, 0, TRAILER, st.size - TRAILER);
      if (trailer.toString('latin1', 0, 8) !== MAGIC) return undefined;
      const metaOff = trailer.readDoubleLE(8);
      const metaLen = trailer.readDoubleLE(16);
      if (metaOff + metaLen + TRAILER !== st.size) return undefined;
      const buf = Buffer.allocUnsafe(metaLen);
      fs.readSync(fd, buf, 0, metaLen, metaOff);
      const meta = JSON.parse(buf.toString('utf8')) as IndexMeta;
      if (meta.v !== INDEX_VERSION || meta.dir !== path.resolve(dir)) return undefined;
      return new IndexReader(fd, meta, st.mtimeMs);
    } catch {
      return undefined;
    }
  }

  column<T>(name: string): T[] {
    const range = this.meta.cols[name];
    if (!range) throw new Error(`index has no column ${name}`);
    return JSON.parse(this.text(range[0], range[1])) as T[];
  }

  text(off: number, len: number): string {
    if (len > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(Math.max(len, this.#scratch.length * 2));
    const n = fs.readSync(this.#fd, this.#scratch, 0, len, off);
    return this.#scratch.toString('utf8', 0, n);
  }

  /** Reads a byte range into a new buffer (a window over several records). */
  bytes(off: number, len: number): Buffer {
    const buf = Buffer.allocUnsafe(len);
    const n = fs.readSync(this.#fd, buf, 0, len, off);
    return buf.subarray(0, n);
  }

  /** Copies a byte range into `out` at `outPos` (used to carry unchanged records over). */
  copy(off: number, len: number, out: number, outPos: number): void {
    const chunk = Buffer.allocUnsafe(Math.min(len, 1 << 20));
    let done = 0;
    while (done < len) {
      const n = fs.readSync(this.#fd, chunk, 0, Math.min(chunk.length, len - done), off + done);
      if (n === 0) throw new Error('index shorter than its meta says');
      fs.writeSync(out, chunk, 0, n, outPos + done);
      done += n;
    }
  }

  close(): void {
    fs.closeSync(this.#fd);
  }
}

/** Writes a new index: records first (streamed), then columns and meta; renames into place. */
export class IndexWriter {
  readonly #file: string;
  readonly #tmp: string;
  readonly #fd: number;
  #pos = 0;
  #pending: string[] = [];
  #pendingBytes = 0;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.#file = file;
    this.#tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    this.#fd = fs.openSync(this.#tmp, 'w+');
  }

  /** Appends text, returning its offset and byte length; writes go out in ~1 MB batches. */
  append(text: string): [number, number] {
    const len = Buffer.byteLength(text);
    const at = this.#pos + this.#pendingBytes;
    this.#pending.push(text);
    this.#pendingBytes += len;
    if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
    return [at, len];
  }

  /** Appends a byte range of an older index. */
  appendFrom(reader: IndexReader, off: number, len: number): [number, number] {
    this.#flush();
    reader.copy(off, len, this.#fd, this.#pos);
    const at = this.#pos;
    this.#pos += len;
    return [at, len];
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const buf = Buffer.from(this.#pending.join(''), 'utf8');
    fs.writeSync(this.#fd, buf, 0, buf.length, this.#pos);
    this.#pos += buf.length;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /**
   * Completes the index and renames it into place. Returns a reader on this very file (not on
   * the path, which another process may replace at any moment) so the offsets just written
   * stay valid for this process.
   */
  finish(meta: Omit<IndexMeta, 'cols'>, columns: Record<string, unknown[]>): IndexReader {
    const cols: Record<string, [number, number]> = {};
    for (const [name, values] of Object.entries(columns)) cols[name] = this.append(JSON.stringify(values));
    const [metaOff, metaLen] = this.append(JSON.stringify({ ...meta, cols }));
    this.#flush();
    const trailer = Buffer.alloc(TRAILER);
    trailer.write(MAGIC, 0, 'latin1');
    trailer.writeDoubleLE(metaOff, 8);
    trailer.writeDoubleLE(metaLen, 16);
    fs.writeSync(this.#fd, trailer, 0, TRAILER, this.#pos);
    const reader = IndexReader.fromFd(this.#fd, meta.dir);
    if (!reader) throw new Error('the index just written does not read back');
    fs.renameSync(this.#tmp, this.#file);
    return reader;
  }

  abort(): void {
    try {
      fs.closeSync(this.#fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(this.#tmp, { force: true });
  }
}
