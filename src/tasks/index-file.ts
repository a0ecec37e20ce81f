// The persisted index: `<cacheDir>/tasks/<64-bit hash of the absolute folder>.idx`, read on a warm
// start without any YAML. Layout, so a cold build can stream records to disk as it parses:
//
//   [record JSON, record JSON, ...][column]...[meta JSON][trailer: magic(8) metaOff(8) metaLen(8)]
//
// Columns are row-aligned (rows sorted by path) and decoded only when a query touches them, each
// in the cheapest form for its data: numbers as raw float64 (read straight into a Float64Array,
// no parsing; NaN stands for null), few-valued strings (status, priority, agent, assignee) as a
// dictionary plus uint16 codes, the rest (paths, ids, lists) as one JSON array. Records are read
// by byte range only for rows that are output. The file is a cache: written to a temp name and
// renamed (atomic), not fsynced; a torn or foreign file, or one written on a machine of the other
// byte order, fails the trailer or meta check and counts as a miss, never an error.
//
// Checksums (CRC-32), so a changed byte is never served: the meta's is in the trailer (checked on
// open: a mismatch is a miss, like a torn file); each column's is in the meta (checked when that
// column is first read: a warm start reads only the columns its query touches, and hashes only
// those); each record's is in the column `recCrc` (checked when that record is read, i.e. only for
// the records that are output). A column or record that fails is an IndexCorruptError or an
// undefined read: the table (table.ts) then reads the task files again instead, and the store
// discards the index so the next save is sound. Records copied from an old index into a new one
// keep their checksum as they are (not re-hashed: that would read every record on each save).

import fs from 'node:fs';
import { endianness } from 'node:os';
import path from 'node:path';
import { crc32 } from '../util/crc32.js';

const MAGIC = 'STRIDX02';
/** magic(8) metaOff(8) metaLen(8) metaCrc(8), the numbers as float64 LE. */
const TRAILER = 32;
/** Batch size of index writes: few syscalls, bounded memory while a cold build streams. */
const FLUSH_BYTES = 1 << 20;
export const INDEX_VERSION = 6; // 3: a cancelled dependency no longer blocks; 4: column `bad`; 5: negative hours read as none; 6: checksums

/**
 * How a column is stored: `f64` numbers (never null), `f64?` numbers or null, `dict` strings or
 * null from a small set, `json` anything JSON can hold.
 */
export type ColumnKind = 'f64' | 'f64?' | 'dict' | 'json';
/** Largest dictionary a `dict` column may have (codes are uint16); beyond it the column is JSON. */
const MAX_DICT = 0xffff;

interface ColumnEntry {
  kind: ColumnKind;
  off: number;
  len: number;
  /** CRC-32 of the column's bytes. */
  crc: number;
  dict?: (string | null)[];
}

/** A column of the index does not match its checksum: the index is corrupt (a cache miss, not an error to show). */
export class IndexCorruptError extends Error {
  constructor(what: string) {
    super(`task index: ${what} does not match its checksum`);
    this.name = 'IndexCorruptError';
  }
}

/** Bytes read for a record as its text, or undefined when they are short or fail `crc`. */
export function checkedText(bytes: Buffer, len: number, crc: number): string | undefined {
  return bytes.length === len && crc32(bytes) === crc ? bytes.toString('utf8') : undefined;
}

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
  /** Byte order of the float64 and uint16 columns. */
  endian: 'LE' | 'BE';
  cols: Record<string, ColumnEntry>;
  problems: IndexedProblem[];
  /** Derived from all rows; valid as long as no file changed. */
  derived: unknown;
}

/**
 * `<cacheDir>/tasks/<64-bit hash of the absolute folder>.idx`. Not a crypto hash (node:crypto
 * costs ~5 ms to load, more than a warm `ls` can spare); two folders sharing a name would only
 * take turns at the file, since the meta names the folder it belongs to.
 */
export function indexPathFor(cacheDir: string, dir: string): string {
  const abs = path.resolve(dir);
  return path.join(cacheDir, 'tasks', `${fnv1a(abs, 0x811c9dc5)}${fnv1a(abs, 0x01000193)}${INDEX_EXT}`);
}

const INDEX_EXT = '.idx';

/**
 * The cache key of a folder's index, `tasks:<folder hash>:index`, for `cache ls`, `invalidate`
 * and `clear` and for the cache events of a task read. The index is not a TTL entry: it is
 * checked file by file (path, size, mtime) whenever it is opened.
 */
export function indexKeyOf(indexFile: string): string {
  return `tasks:${path.basename(indexFile, INDEX_EXT)}:index`;
}

/** Every task index in a cache dir, with its key, size and when it was last written. */
export function listIndexes(cacheDir: string): { key: string; file: string; bytes: number; mtimeMs: number }[] {
  const folder = path.join(cacheDir, 'tasks');
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return []; // no task was ever read with this cache dir
  }
  const out: { key: string; file: string; bytes: number; mtimeMs: number }[] = [];
  for (const name of names) {
    if (!name.endsWith(INDEX_EXT)) continue;
    const file = path.join(folder, name);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st?.isFile()) out.push({ key: indexKeyOf(file), file, bytes: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

/** 32-bit FNV-1a over UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string, seed: number): string {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
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
      if (fs.readSync(fd, buf, 0, metaLen, metaOff) !== metaLen || crc32(buf) !== trailer.readDoubleLE(24)) return undefined;
      const meta = JSON.parse(buf.toString('utf8')) as IndexMeta;
      if (meta.v !== INDEX_VERSION || meta.dir !== path.resolve(dir) || meta.endian !== endianness()) return undefined;
      return new IndexReader(fd, meta, st.mtimeMs);
    } catch {
      return undefined;
    }
  }

  /** A `f64` column, read straight into a Float64Array. Throws IndexCorruptError when it fails its checksum. */
  numbers(name: string): Float64Array {
    const c = this.#entry(name, 'f64');
    const out = new Float64Array(this.meta.n);
    this.#readInto(out, c, name);
    return out;
  }

  /** A column of any other kind, decoded into an array (IndexCorruptError as for `numbers`). */
  column<T>(name: string): T[] {
    const c = this.#entry(name);
    const n = this.meta.n;
    if (c.kind === 'json') {
      const text = checkedText(this.#read(c.off, c.len), c.len, c.crc);
      if (text === undefined) throw new IndexCorruptError(`column ${name}`);
      return JSON.parse(text) as T[];
    }
    const out = new Array<unknown>(n);
    if (c.kind === 'dict') {
      const { dict, codes } = this.dictionary(name)!;
      for (let i = 0; i < n; i++) out[i] = dict[codes[i]];
    } else {
      const values = new Float64Array(n);
      this.#readInto(values, c, name);
      for (let i = 0; i < n; i++) out[i] = Number.isNaN(values[i]) ? null : values[i];
    }
    return out as T[];
  }

  /** A `dict` column as stored: its values and one code per row; undefined for other kinds (IndexCorruptError as for `numbers`). */
  dictionary(name: string): { dict: (string | null)[]; codes: Uint16Array } | undefined {
    const c = this.#entry(name);
    if (c.kind !== 'dict') return undefined;
    const codes = new Uint16Array(this.meta.n);
    this.#readInto(codes, c, name);
    return { dict: c.dict!, codes };
  }

  #entry(name: string, kind?: ColumnKind): ColumnEntry {
    const c = this.meta.cols[name];
    if (!c || (kind && c.kind !== kind)) throw new Error(`index has no ${kind ?? ''} column ${name}`);
    return c;
  }

  #readInto(out: Float64Array | Uint16Array, c: ColumnEntry, name: string): void {
    if (c.len !== out.byteLength || fs.readSync(this.#fd, out, 0, c.len, c.off) !== c.len || crc32(out) !== c.crc) throw new IndexCorruptError(`column ${name}`);
  }

  /** Bytes at a range, in a scratch buffer reused by the next read. */
  #read(off: number, len: number): Buffer {
    if (len > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(Math.max(len, this.#scratch.length * 2));
    return this.#scratch.subarray(0, fs.readSync(this.#fd, this.#scratch, 0, len, off));
  }

  /** A record's text, or undefined when its bytes do not match `crc` (a corrupt index). */
  record(off: number, len: number, crc: number): string | undefined {
    return checkedText(this.#read(off, len), len, crc);
  }

  /**
   * Deletes the index file at `file` if it is still the one this reader has open (another process
   * may have renamed a newer one over it since): for an index found corrupt.
   */
  discard(file: string): void {
    try {
      const mine = fs.fstatSync(this.#fd);
      const there = fs.statSync(file, { throwIfNoEntry: false });
      if (there && there.ino === mine.ino && there.dev === mine.dev) fs.rmSync(file, { force: true });
    } catch {
      /* a cache file: the next open checks it again anyway */
    }
  }

  /** Reads a byte range into `into` (a window over several records), returning the part read (unchecked: see `checkedText`). */
  bytes(off: number, len: number, into: Buffer): Buffer {
    return into.subarray(0, fs.readSync(this.#fd, into, 0, len, off));
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
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.#file = file;
    this.#tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    this.#fd = fs.openSync(this.#tmp, 'w+', 0o600);
  }

  /** Appends a record's text (encoded once), returning its offset, byte length and checksum; writes go out in ~1 MB batches. */
  appendRecord(text: string): [number, number, number] {
    const bytes = Buffer.from(text, 'utf8');
    const at = this.#pos + this.#pendingBytes;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.#flush();
    return [at, bytes.length, crc32(bytes)];
  }

  /** Appends a byte range of an older index. */
  appendFrom(reader: IndexReader, off: number, len: number): [number, number] {
    this.#flush();
    reader.copy(off, len, this.#fd, this.#pos);
    const at = this.#pos;
    this.#pos += len;
    return [at, len];
  }

  #appendColumn(kind: ColumnKind, values: ArrayLike<unknown>): ColumnEntry {
    if (kind === 'f64' || kind === 'f64?') {
      let f: Float64Array;
      if (values instanceof Float64Array) f = values;
      else {
        f = new Float64Array(values.length);
        for (let i = 0; i < f.length; i++) f[i] = (values[i] as number | null) ?? NaN;
      }
      return { kind, ...this.#appendBytes(Buffer.from(f.buffer, f.byteOffset, f.byteLength)) };
    }
    if (kind === 'dict') {
      const codeOf = new Map<string | null, number>();
      const codes = new Uint16Array(values.length);
      for (let i = 0; i < values.length && codeOf.size <= MAX_DICT; i++) {
        const v = values[i] as string | null;
        let c = codeOf.get(v);
        if (c === undefined) codeOf.set(v, (c = codeOf.size));
        codes[i] = c;
      }
      if (codeOf.size <= MAX_DICT) {
        return { kind, ...this.#appendBytes(Buffer.from(codes.buffer, codes.byteOffset, codes.byteLength)), dict: [...codeOf.keys()] };
      }
    }
    return { kind: 'json', ...this.#appendBytes(Buffer.from(JSON.stringify(Array.from(values)), 'utf8')) };
  }

  /** Appends raw bytes, written at once (after any pending text); returns where, and their checksum. */
  #appendBytes(bytes: Buffer): { off: number; len: number; crc: number } {
    this.#flush();
    fs.writeSync(this.#fd, bytes, 0, bytes.length, this.#pos);
    const at = this.#pos;
    this.#pos += bytes.length;
    return { off: at, len: bytes.length, crc: crc32(bytes) };
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const buf = Buffer.concat(this.#pending, this.#pendingBytes);
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
  finish(meta: Omit<IndexMeta, 'cols' | 'endian'>, columns: Record<string, { kind: ColumnKind; values: ArrayLike<unknown> }>): IndexReader {
    const cols: Record<string, ColumnEntry> = {};
    for (const [name, { kind, values }] of Object.entries(columns)) cols[name] = this.#appendColumn(kind, values);
    const { off: metaOff, len: metaLen, crc: metaCrc } = this.#appendBytes(Buffer.from(JSON.stringify({ ...meta, endian: endianness(), cols }), 'utf8'));
    const trailer = Buffer.alloc(TRAILER);
    trailer.write(MAGIC, 0, 'latin1');
    trailer.writeDoubleLE(metaOff, 8);
    trailer.writeDoubleLE(metaLen, 16);
    trailer.writeDoubleLE(metaCrc, 24);
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
