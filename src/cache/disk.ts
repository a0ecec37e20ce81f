// L2: one file per key in <cache dir>/l2, named by the URL-encoded key (so globs match file
// names without opening files). Measured here as the fastest store that needs no native build:
// a synchronous read of a 2 KB entry has p99 ≈ 0.07 ms. Two forms (format.ts): `<key>.t`, a small
// entry of uncompressed pages as text, read by one readFileSync(…, 'utf8'); `<key>.e`, the framed
// form, for everything else. A commit of one form removes the other, and a read tries `.t` first.
//
// Invariants:
//   - A file under its final name is complete: writers stream frames to `.tmp-*` in the same
//     directory, fsync, then rename. A read goes through one open file, so a rename or an unlink
//     never tears it; a torn or corrupt file (no trailer, bad CRC-32) is a miss and is left to be
//     replaced.
//   - mtime is the entry's createdAt; atime is bumped on hits (at most once a minute per key and
//     process) and orders eviction. Total bytes are bounded by a sweep that drops dead entries, then the least
//     recently used, down to 90% of the bound; it also removes temp files orphaned by kill -9.
//     A process sweeps after writing an eighth of the bound, and once more as it closes if the
//     bytes the last sweep left plus every write logged since (`.written`) could pass the bound:
//     concurrent writers may overshoot while they run, not once they are done.
//   - Directory 0700, files 0600. Many processes may share the directory: every step is a
//     single rename or unlink, so the worst race costs one extra fetch, never a bad read.
// Whole entries go in and out as their bytes (get/set/delete/clear: a Redis hit is stored as
// it came); `writer()` writes frame by frame and `read()` yields frames without holding the file.
// keyv-disk.ts puts this store behind Keyv's store interface.

import nodeFs from 'node:fs';
import path from 'node:path';
import { crc32 } from '../util/crc32.js';
import { decodeEntry, decodeTextEntry, decompress, encodeEntry, encodeTextEntry, EntryEncoder, frameWord, RAW_BELOW, readHeader, readTrailer, TEXT_BELOW, TRAILER_BYTES, type DecodedEntry, type EntryHeader } from './format.js';

/** The file operations the store uses; injectable so a test can make a write fail (ENOSPC). */
export type FileOps = Pick<
  typeof nodeFs,
  | 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'readSync' | 'fstatSync'
  | 'readFileSync' | 'readdirSync' | 'statSync' | 'mkdirSync' | 'chmodSync' | 'accessSync' | 'futimesSync' | 'utimesSync' | 'writeFileSync' | 'appendFileSync'
>;

export interface DiskOptions {
  /** The cache directory (config.cache.dir); entries go to <dir>/l2. */
  dir: string;
  /** Bound on the bytes of all entries. Minimum: 1. */
  maxBytes: number;
  now(): number;
  /** Entries this predicate calls dead are dropped first by a sweep (expired beyond stale-if-error). */
  isDead?(key: string, createdAt: number): boolean;
  onEvict?(key: string, bytes: number): void;
  fs?: FileOps;
}

export interface DiskEntry extends EntryHeader {
  records: number;
  /** File size in bytes. */
  bytes: number;
  /** Decompressed chunks, read frame by frame; the file is closed when they are done. */
  chunks(): Iterable<string>;
  /** Closes the file when `chunks()` is not read to the end. */
  close(): void;
  /** Present for entries read whole into memory: their bytes in the framed form (what Redis holds). */
  whole?: { framed(): Buffer };
}

export interface DiskListing {
  key: string;
  bytes: number;
  createdAt: number;
  usedAt: number;
}

/** Files under this size are read in one read with no fstat first (see `read`). */
const SMALL_READ_BYTES = 64 * 1024;
/** Files up to this size are read and verified in one read; larger ones are streamed frame by frame. */
const WHOLE_READ_BYTES = 1 << 20;
/** A process bumps a key's atime on a hit at most this often: keeps hits to one read most of the time. */
const TOUCH_AFTER_MS = 60_000;
/** Keys whose last touch a store remembers; past this it forgets them all (each is then touched again). */
const TOUCHED_KEYS_MAX = 10_000;
/** Orphaned temp files older than this are removed by a sweep (no live writer takes so long between frames). */
const TMP_ORPHAN_MS = 10 * 60_000;
/** Sweep at least this often, and whenever a process has written an eighth of the bound. */
const SWEEP_EVERY_MS = 10 * 60_000;
const EXT = '.e';
const TEXT_EXT = '.t';
/** Bytes the last sweep left, and the log of bytes written since (one line per entry). */
const SWEPT = '.swept';
const WRITTEN = '.written';

export class DiskStore {
  readonly dir: string;
  readonly #opts: DiskOptions;
  readonly #fs: FileOps;
  /** `dir` and a separator: a hit joins a file name to it without path.join's normalising. */
  readonly #dirSlash: string;
  /** The buffer small entries are read into (then copied out at their size). */
  #scratch: Buffer | undefined;
  readonly #touchedAt = new Map<string, number>();
  #writtenSinceSweep = 0;
  #sweepChecked = false;

  constructor(opts: DiskOptions) {
    this.#opts = opts;
    this.#fs = opts.fs ?? nodeFs;
    this.dir = path.join(opts.dir, 'l2');
    this.#dirSlash = this.dir + path.sep;
  }

  /** Creates the directory (0700) and checks that it is writable; throws the fs error if not. */
  init(): void {
    this.#fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.#fs.chmodSync(this.#opts.dir, 0o700);
    this.#fs.chmodSync(this.dir, 0o700);
    this.#fs.accessSync(this.dir, nodeFs.constants.W_OK);
  }

  /** The entry's file in the framed form (`.e`); undefined for a key too long for a file name. */
  fileOf(key: string): string | undefined {
    const name = encodeURIComponent(key);
    return name.length + EXT.length > 250 ? undefined : this.#dirSlash + name + EXT;
  }

  /** The entry's file in the text form (`.t`). */
  textFileOf(key: string): string | undefined {
    return this.fileOf(key)?.slice(0, -EXT.length).concat(TEXT_EXT);
  }

  /**
   * The entry under `key`, verified; undefined when absent, torn or corrupt. With `accept`, an
   * entry it rejects by age is not verified: a small one is rejected on its header, a large one on
   * its file's mtime (its createdAt, set at commit) before it is read.
   *
   * A text entry is one readFileSync. A framed one under 64 KiB costs open, one read, close: it is
   * read into a scratch buffer without an fstat first, and the read is whole when it comes back
   * short of the buffer. The hit's atime touch needs no fstat either: this store remembers when it
   * last touched each key, so a process touches a key once a minute at most.
   */
  read(key: string, accept?: (createdAt: number) => boolean): DiskEntry | undefined {
    const file = this.fileOf(key);
    if (!file) return undefined;
    return this.#readText(key, this.textFileOf(key)!, accept) ?? this.#readFramed(key, file, accept);
  }

  /**
   * Reads by path; when the key's atime is due for a touch, through an open file instead, so the
   * touch lands on the file that was read and not on one renamed into its place meanwhile.
   */
  #readText(key: string, file: string, accept?: (createdAt: number) => boolean): DiskEntry | undefined {
    let fd: number | undefined;
    try {
      if (this.#touchDue(key)) fd = this.#fs.openSync(file, 'r');
      const text = this.#fs.readFileSync(fd ?? file, 'utf8');
      const entry = decodeTextEntry(text, accept);
      if (!entry || entry.key !== key) return undefined;
      if (fd !== undefined) this.#touch(key, (atime) => this.#fs.futimesSync(fd!, atime, entry.createdAt / 1000));
      return {
        key,
        createdAt: entry.createdAt,
        records: entry.records,
        bytes: Buffer.byteLength(text),
        chunks: () => entry.pages,
        close() {},
        whole: { framed: () => encodeEntry(entry, entry.pages, entry.records) },
      };
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) safeClose(this.#fs, fd);
    }
  }

  #readFramed(key: string, file: string, accept?: (createdAt: number) => boolean): DiskEntry | undefined {
    let fd: number;
    try {
      fd = this.#fs.openSync(file, 'r');
    } catch {
      return undefined;
    }
    let keepOpen = false;
    try {
      const scratch = (this.#scratch ??= Buffer.allocUnsafe(SMALL_READ_BYTES));
      const n = this.#fs.readSync(fd, scratch, 0, SMALL_READ_BYTES, 0);
      const entry = n < SMALL_READ_BYTES ? wholeEntry(Buffer.from(scratch.subarray(0, n)), accept) : this.#readLarge(fd, scratch, accept);
      if (!entry || entry.key !== key) return undefined;
      this.#touch(key, (atime) => this.#fs.futimesSync(fd, atime, entry.createdAt / 1000));
      keepOpen = !entry.whole;
      return entry;
    } catch {
      return undefined;
    } finally {
      if (!keepOpen) this.#fs.closeSync(fd);
    }
  }

  #touchDue(key: string): boolean {
    return this.#opts.now() - (this.#touchedAt.get(key) ?? -Infinity) > TOUCH_AFTER_MS;
  }

  /** Bumps the atime that orders eviction through `setAtime` on the open file (which keeps the mtime, createdAt). */
  #touch(key: string, setAtime: (seconds: number) => void): void {
    if (!this.#touchDue(key)) return;
    const now = this.#opts.now();
    if (this.#touchedAt.size >= TOUCHED_KEYS_MAX) this.#touchedAt.clear();
    this.#touchedAt.set(key, now);
    try {
      setAtime(now / 1000);
    } catch {
      // A read-only cache still serves hits.
    }
  }

  /**
   * An entry of SMALL_READ_BYTES or more, whose first bytes are in `head`: rejected on its mtime
   * before the rest is read, then completed in memory (up to 1 MiB) or streamed.
   */
  #readLarge(fd: number, head: Buffer, accept?: (createdAt: number) => boolean): DiskEntry | undefined {
    const st = this.#fs.fstatSync(fd);
    if (accept && !accept(st.mtimeMs)) return undefined;
    if (st.size > WHOLE_READ_BYTES) return this.#readStreamed(fd, st.size, head);
    if (st.size < head.length) return undefined; // shrunk under us: not a file we can trust
    const raw = Buffer.allocUnsafe(st.size);
    head.copy(raw);
    const rest = st.size - head.length;
    return this.#fs.readSync(fd, raw, head.length, rest, head.length) === rest ? wholeEntry(raw) : undefined;
  }

  /**
   * Verifies trailer and CRC-32 (the first bytes from `first`, already read, the rest in 1 MiB
   * reads), then yields frames one at a time (flat memory).
   */
  #readStreamed(fd: number, size: number, first: Buffer): DiskEntry | undefined {
    const fs = this.#fs;
    const tail = Buffer.allocUnsafe(TRAILER_BYTES);
    fs.readSync(fd, tail, 0, TRAILER_BYTES, size - TRAILER_BYTES);
    const trailer = readTrailer(tail);
    const head = readHeader(first);
    if (!trailer || !head) return undefined;
    const bodyEnd = size - TRAILER_BYTES + 8;
    let crc = crc32(first);
    const block = Buffer.allocUnsafe(WHOLE_READ_BYTES);
    for (let at = first.length; at < bodyEnd; ) {
      const n = fs.readSync(fd, block, 0, Math.min(block.length, bodyEnd - at), at);
      if (n <= 0) return undefined;
      crc = crc32(block.subarray(0, n), crc);
      at += n;
    }
    if (crc !== trailer.crc) return undefined;
    let opened = true;
    const close = () => {
      if (opened) fs.closeSync(fd);
      opened = false;
    };
    return {
      ...head.header,
      records: trailer.records,
      bytes: size,
      close,
      *chunks() {
        try {
          const lenBuf = Buffer.allocUnsafe(4);
          for (let at = head.end; ; ) {
            fs.readSync(fd, lenBuf, 0, 4, at);
            const word = lenBuf.readUInt32BE(0);
            if (word === 0) return;
            const { length, raw } = frameWord(word);
            const body = Buffer.allocUnsafe(length);
            fs.readSync(fd, body, 0, length, at + 4);
            at += 4 + length;
            yield decompress({ body, raw });
          }
        } finally {
          close();
        }
      },
    };
  }

  /**
   * Starts an entry written frame by frame; it appears under its key only on commit. With
   * `keepUpTo`, the writer also keeps the bytes it wrote while they stay within that many
   * (`written` after commit), for a caller that sends small entries on (to Redis) without reading
   * the file back.
   */
  writer(key: string, createdAt: number, keepUpTo = 0): DiskWriter | undefined {
    const file = this.fileOf(key);
    if (!file) return undefined;
    this.#maybeSweepSoon();
    return new DiskWriter(this.#fs, { file, textFile: this.textFileOf(key)!, tmp: this.#tmpName() }, { key, createdAt }, (bytes) => this.#wrote(bytes), keepUpTo);
  }

  // whole entries as bytes --------------------------------------------------------------------

  /** The verified bytes of an entry in the framed form (what Redis holds). */
  async get(key: string): Promise<Buffer | undefined> {
    return this.read(key)?.whole?.framed();
  }

  /**
   * Stores raw entry bytes (e.g. from Redis) atomically; false when they are not a valid entry.
   * A caller that has just decoded `value` passes the result instead of having it decoded again.
   */
  async set(key: string, value: Buffer, decoded: DecodedEntry | undefined = decodeEntry(value)): Promise<boolean> {
    const file = this.fileOf(key);
    if (!file || !decoded || decoded.key !== key) return false;
    const textFile = this.textFileOf(key)!;
    const pages = textPages(decoded);
    const bytes = pages ? Buffer.from(encodeTextEntry(decoded, pages, decoded.records)) : value;
    placeFile(this.#fs, this.#tmpName(), bytes, decoded.createdAt, pages ? textFile : file, pages ? file : textFile);
    this.#wrote(bytes.length);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const file = this.fileOf(key);
    if (!file) return false;
    const text = safeUnlink(this.#fs, this.textFileOf(key)!);
    return safeUnlink(this.#fs, file) || text;
  }

  async clear(): Promise<void> {
    for (const name of this.#names()) safeUnlink(this.#fs, path.join(this.dir, name));
  }

  // ----------------------------------------------------------------------------------------------

  /**
   * Every entry (key from its file's name; createdAt from mtime, last use from atime). A key whose
   * two forms both exist for a moment (a commit between its rename and its unlink) is listed once.
   */
  *list(): Iterable<DiskListing> {
    const seen = new Set<string>();
    for (const name of this.#names()) {
      const key = keyOfFile(name);
      if (key === undefined || seen.has(key)) continue;
      try {
        const st = this.#fs.statSync(path.join(this.dir, name));
        seen.add(key);
        yield { key, bytes: st.size, createdAt: st.mtimeMs, usedAt: st.atimeMs };
      } catch {
        // Removed by another process since readdir.
      }
    }
  }

  /** Deletes the entries whose key matches; returns how many went. */
  deleteWhere(match: (key: string) => boolean): number {
    const gone = new Set<string>();
    for (const name of this.#names()) {
      const key = keyOfFile(name);
      if (key !== undefined && match(key) && safeUnlink(this.#fs, path.join(this.dir, name))) gone.add(key);
    }
    return gone.size;
  }

  /** Drops dead entries and orphaned temp files, then least recently used entries down to 90% of the bound. */
  sweep(): { entries: number; bytes: number; evicted: number } {
    const now = this.#opts.now();
    const live: (DiskListing & { file: string })[] = [];
    let evicted = 0;
    for (const name of this.#names()) {
      const file = path.join(this.dir, name);
      let st: nodeFs.Stats;
      try {
        st = this.#fs.statSync(file);
      } catch {
        continue;
      }
      if (name.startsWith('.tmp-')) {
        if (now - st.mtimeMs > TMP_ORPHAN_MS) safeUnlink(this.#fs, file);
        continue;
      }
      const key = keyOfFile(name);
      if (key === undefined) continue;
      if (this.#opts.isDead?.(key, st.mtimeMs)) {
        if (safeUnlink(this.#fs, file)) {
          evicted++;
          this.#opts.onEvict?.(key, st.size);
        }
        continue;
      }
      live.push({ key, file, bytes: st.size, createdAt: st.mtimeMs, usedAt: st.atimeMs });
    }
    let total = live.reduce((s, e) => s + e.bytes, 0);
    if (total > this.#opts.maxBytes) {
      live.sort((a, b) => a.usedAt - b.usedAt);
      const target = this.#opts.maxBytes * 0.9;
      while (total > target && live.length > 0) {
        const victim = live.shift()!;
        if (safeUnlink(this.#fs, victim.file)) {
          evicted++;
          this.#opts.onEvict?.(victim.key, victim.bytes);
        }
        total -= victim.bytes;
      }
    }
    this.#writtenSinceSweep = 0;
    try {
      // the total as swept, and the log of bytes written since (closing sweeps read both)
      this.#fs.writeFileSync(path.join(this.dir, SWEPT), String(total), { mode: 0o600 });
      this.#fs.writeFileSync(path.join(this.dir, WRITTEN), '', { mode: 0o600 });
    } catch {
      // The next process sweeps instead.
    }
    return { entries: live.length, bytes: total, evicted };
  }

  /**
   * The closing sweep of a process that wrote: only when the total at the last sweep plus every
   * process's writes logged since could pass the bound (two small reads, not a listing).
   */
  sweepIfWritten(): void {
    if (this.#writtenSinceSweep === 0) return;
    const read = (name: string) => {
      try {
        return this.#fs.readFileSync(path.join(this.dir, name), 'utf8');
      } catch {
        return undefined;
      }
    };
    const swept = Number(read(SWEPT));
    const written = (read(WRITTEN) ?? '').split('\n').reduce((sum, n) => sum + (Number(n) || 0), 0);
    if (!Number.isFinite(swept) || swept + written > this.#opts.maxBytes) this.sweep();
  }

  #names(): string[] {
    try {
      return this.#fs.readdirSync(this.dir);
    } catch {
      return [];
    }
  }

  #tmpName(): string {
    return path.join(this.dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  }

  #maybeSweepSoon(): void {
    if (this.#sweepChecked) return;
    this.#sweepChecked = true;
    try {
      const last = this.#fs.statSync(path.join(this.dir, SWEPT)).mtimeMs;
      if (this.#opts.now() - last < SWEEP_EVERY_MS) return;
    } catch {
      // Never swept.
    }
    this.#writtenSinceSweep = Number.POSITIVE_INFINITY;
  }

  #wrote(bytes: number): void {
    this.#writtenSinceSweep += bytes;
    try {
      this.#fs.appendFileSync(path.join(this.dir, WRITTEN), `${bytes}\n`, { mode: 0o600 });
    } catch {
      // Unlogged: the closing sweep may then run when it need not, or the next one catches up.
    }
    if (this.#writtenSinceSweep > this.#opts.maxBytes / 8) this.sweep();
  }
}

/**
 * One entry being written. Its pages are held back while the entry may still be kept as text
 * (each page under RAW_BELOW, all under TEXT_BELOW characters); past that, or at a page that will
 * be compressed, they go out as frames to a temp file and the rest follow as they come. `commit`
 * writes the text file, or the framed file's trailer, and renames it into place.
 */
export class DiskWriter {
  readonly #fs: FileOps;
  readonly #paths: WriterPaths;
  readonly #encoder = new EntryEncoder();
  readonly #header: EntryHeader;
  readonly #onCommit: (bytes: number) => void;
  readonly #keepUpTo: number;
  /** Pages held back for the text form; undefined once the entry is framed. */
  #pages: string[] | undefined = [];
  #pageChars = 0;
  /** The framed bytes, while they stay within #keepUpTo; undefined once they do not. */
  #kept: Buffer[] | undefined = [];
  #committed = false;
  #fd: number | undefined;

  constructor(fs: FileOps, paths: WriterPaths, header: EntryHeader, onCommit: (bytes: number) => void, keepUpTo = 0) {
    this.#fs = fs;
    this.#paths = paths;
    this.#header = header;
    this.#onCommit = onCommit;
    this.#keepUpTo = keepUpTo;
  }

  /** After commit: the entry's bytes in the framed form, when they fit the writer's `keepUpTo`. */
  get written(): Buffer | undefined {
    return this.#committed && this.#kept ? Buffer.concat(this.#kept) : undefined;
  }

  /** Appends one page; throws the fs error (ENOSPC...) after removing the temp file. */
  append(chunk: string): void {
    if (this.#pages) {
      if (chunk.length < RAW_BELOW && this.#pageChars + chunk.length < TEXT_BELOW) {
        this.#pages.push(chunk);
        this.#pageChars += chunk.length;
        return;
      }
      const held = this.#pages;
      this.#pages = undefined;
      this.#fd = this.#fs.openSync(this.#paths.tmp, 'wx', 0o600);
      this.#write(this.#encoder.start(this.#header));
      for (const page of held) this.#write(this.#encoder.frame(page));
    }
    this.#write(this.#encoder.frame(chunk));
  }

  /** Writes the entry's end, fsyncs and renames it into place; returns its size in bytes. */
  commit(records: number): number {
    const bytes = this.#pages ? this.#commitText(this.#pages, records) : this.#commitFramed(records);
    this.#committed = true;
    this.#onCommit(bytes);
    return bytes;
  }

  abort(): void {
    if (this.#fd !== undefined) safeClose(this.#fs, this.#fd);
    this.#fd = undefined;
    this.#pages = undefined;
    safeUnlink(this.#fs, this.#paths.tmp);
  }

  #commitText(pages: string[], records: number): number {
    const text = Buffer.from(encodeTextEntry(this.#header, pages, records));
    placeFile(this.#fs, this.#paths.tmp, text, this.#header.createdAt, this.#paths.textFile, this.#paths.file);
    const framed = this.#keepUpTo > 0 ? encodeEntry(this.#header, pages, records) : undefined;
    this.#kept = framed && framed.length <= this.#keepUpTo ? [framed] : undefined;
    return text.length;
  }

  #commitFramed(records: number): number {
    this.#write(this.#encoder.finish(records));
    const fd = this.#fd!;
    try {
      this.#fs.fsyncSync(fd);
      const t = this.#header.createdAt / 1000;
      this.#fs.futimesSync(fd, t, t);
      this.#fs.closeSync(fd);
      this.#fd = undefined;
      this.#fs.renameSync(this.#paths.tmp, this.#paths.file);
    } catch (err) {
      this.abort();
      throw err;
    }
    safeUnlink(this.#fs, this.#paths.textFile);
    return this.#encoder.bytes;
  }

  #write(buf: Buffer): void {
    try {
      writeAll(this.#fs, this.#fd!, buf);
    } catch (err) {
      this.abort();
      throw err;
    }
    if (this.#kept && this.#encoder.bytes <= this.#keepUpTo) this.#kept.push(buf);
    else this.#kept = undefined;
  }
}

interface WriterPaths {
  /** The framed form's file, the text form's, and the temp file either is written to first. */
  file: string;
  textFile: string;
  tmp: string;
}

/**
 * Puts `bytes` under `file` atomically (temp file, fsync, mtime = createdAt, rename), then removes
 * the entry's other form, `other`. On failure the temp file is removed and the error thrown.
 */
function placeFile(fs: FileOps, tmp: string, bytes: Buffer, createdAt: number, file: string, other: string): void {
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    writeAll(fs, fd, bytes);
    fs.fsyncSync(fd);
    fs.futimesSync(fd, createdAt / 1000, createdAt / 1000);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (err) {
    safeClose(fs, fd);
    safeUnlink(fs, tmp);
    throw err;
  }
  safeUnlink(fs, other);
}

/** The key an entry file holds (from its name), or undefined for a file that is not an entry. */
function keyOfFile(name: string): string | undefined {
  if (!name.endsWith(EXT) && !name.endsWith(TEXT_EXT)) return undefined;
  try {
    return decodeURIComponent(name.slice(0, -EXT.length));
  } catch {
    return undefined; // not a name this store made (a stray "100%.t")
  }
}

/** A decoded framed entry's pages when it qualifies for the text form (as a writer would keep it). */
function textPages(decoded: DecodedEntry): string[] | undefined {
  let chars = 0;
  const pages: string[] = [];
  for (const f of decoded.frames) {
    if (!f.raw) return undefined;
    const page = f.body.toString();
    if (page.length >= RAW_BELOW || (chars += page.length) >= TEXT_BELOW) return undefined;
    pages.push(page);
  }
  return pages;
}

function writeAll(fs: FileOps, fd: number, buf: Buffer): void {
  for (let at = 0; at < buf.length; ) at += fs.writeSync(fd, buf, at, buf.length - at);
}

function safeClose(fs: FileOps, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed.
  }
}

function safeUnlink(fs: FileOps, file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A whole entry held in memory, verified (undefined when `accept` rejects its age, or it is torn or corrupt). */
function wholeEntry(raw: Buffer, accept?: (createdAt: number) => boolean): DiskEntry | undefined {
  const decoded = decodeEntry(raw, accept);
  if (!decoded) return undefined;
  return {
    key: decoded.key,
    createdAt: decoded.createdAt,
    records: decoded.records,
    bytes: raw.length,
    whole: { framed: () => raw },
    close() {},
    *chunks() {
      for (const f of decoded.frames) yield decompress(f);
    },
  };
}
