// The entry format shared by the disk file and the Redis value:
//
//   "STRATA-C3\n" | u32 header length | header JSON {key, createdAt}
//   { u32 frame word (> 0) | frame body }*                           one frame per chunk
//   u32 0 (end of frames) | u32 record count | u32 CRC-32 of every byte before it | "END1"
//
// A frame word is the body's length, with the top bit set when the body is the JSON text as it is
// (pages under RAW_BELOW bytes: brotli saves little there and a decoder costs more than the read);
// otherwise the body is brotli(JSON array of records).
//
// Frames are written as pages arrive, so a 100k-key listing is cached in flat memory; the trailer
// is written last, so a file cut short (kill -9, full disk) has no valid trailer and reads as a
// miss. The CRC-32 covers header, frames and record count: a flipped byte anywhere is a miss,
// never a crash. (C2 used sha1: 2.3 µs of a 2 KB hit against 0.8 for zlib's CRC-32, and the check
// guards against damage, not against an attacker: one who can write the cache dir or Redis can
// write a checksum.)
// Brotli quality 1: measured 11× on DescribeInstances JSON at 0.15 ms per 200 KB (gzip-6 is 6×
// slower for the same ratio; brotli's default quality 11 takes ~140 ms).

import zlib from 'node:zlib';
import { crc32 } from '../util/crc32.js';

const MAGIC = Buffer.from('STRATA-C3\n');
const RAW_BIT = 0x8000_0000;
/** Pages shorter than this (bytes of JSON) are stored uncompressed. */
export const RAW_BELOW = 4096;
const END = Buffer.from('END1');
export const TRAILER_BYTES = 4 + 4 + 4 + 4;

export interface EntryHeader {
  key: string;
  createdAt: number;
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n);
  return b;
}

/** Brotli quality 1, text mode, sized by the input: the codec of every compressed frame. */
export function compressBytes(input: Buffer): Buffer {
  return zlib.brotliCompressSync(input, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: input.length,
    },
  });
}

/** A chunk's text, compressed: UTF-8 bytes, then `compressBytes`. */
export function compress(text: string): Buffer {
  return compressBytes(Buffer.from(text));
}

/** One stored page: its body and whether that is brotli or the JSON text itself. */
export interface Frame {
  body: Buffer;
  raw: boolean;
}

/** Splits a frame word (not 0, which ends the frames) into the body's length and its kind. */
export function frameWord(word: number): { length: number; raw: boolean } {
  return { length: word & 0x7fff_ffff, raw: (word & RAW_BIT) !== 0 };
}

/**
 * Output buffer for a frame's decompression, sized from the compressed length (JSON frames unpack
 * 10–15×): one allocation instead of zlib's 16 KiB pieces and their concatenation.
 */
function outputChunkSize(compressed: number): number {
  return Math.min(256 * 1024, Math.max(16 * 1024, compressed * 16));
}

export function decompress(frame: Frame): string {
  if (frame.raw) return frame.body.toString();
  return zlib.brotliDecompressSync(frame.body, { chunkSize: outputChunkSize(frame.body.length) }).toString();
}

/** Produces the bytes of one entry piece by piece; the caller sends them to a file or a buffer. */
export class EntryEncoder {
  #crc = 0;
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  start(header: EntryHeader): Buffer {
    const json = Buffer.from(JSON.stringify(header));
    return this.#emit(Buffer.concat([MAGIC, u32(json.length), json]));
  }

  frame(chunk: string): Buffer {
    const raw = chunk.length < RAW_BELOW;
    const body = raw ? Buffer.from(chunk) : compress(chunk);
    return this.#emit(Buffer.concat([u32(raw ? (body.length | RAW_BIT) >>> 0 : body.length), body]));
  }

  finish(records: number): Buffer {
    const counted = this.#emit(Buffer.concat([u32(0), u32(records)]));
    const tail = Buffer.concat([u32(this.#crc), END]);
    this.#bytes += tail.length;
    return Buffer.concat([counted, tail]);
  }

  #emit(buf: Buffer): Buffer {
    this.#crc = crc32(buf, this.#crc);
    this.#bytes += buf.length;
    return buf;
  }
}

/** Reads the header from the first bytes of an entry; undefined when it is not one. */
export function readHeader(buf: Buffer): { header: EntryHeader; end: number } | undefined {
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const len = buf.readUInt32BE(MAGIC.length);
  const end = MAGIC.length + 4 + len;
  if (end > buf.length) return undefined;
  try {
    const header = JSON.parse(buf.subarray(MAGIC.length + 4, end).toString()) as EntryHeader;
    if (typeof header.key !== 'string' || typeof header.createdAt !== 'number') return undefined;
    return { header, end };
  } catch {
    return undefined;
  }
}

export interface Trailer {
  records: number;
  crc: number;
}

/** Parses the last TRAILER_BYTES of an entry; undefined when the entry is torn. */
export function readTrailer(tail: Buffer): Trailer | undefined {
  if (tail.length !== TRAILER_BYTES || tail.readUInt32BE(0) !== 0 || !tail.subarray(TRAILER_BYTES - 4).equals(END)) return undefined;
  return { records: tail.readUInt32BE(4), crc: tail.readUInt32BE(8) };
}

export interface DecodedEntry extends EntryHeader {
  records: number;
  /** Frames in order; decompress each when it is needed. */
  frames: Frame[];
}

/**
 * Validates a whole entry held in memory (a small file, a Redis value). Undefined: torn or
 * corrupt, or rejected by `accept` on its createdAt (then without the checksum pass).
 */
export function decodeEntry(buf: Buffer, accept?: (createdAt: number) => boolean): DecodedEntry | undefined {
  if (buf.length < TRAILER_BYTES) return undefined;
  const trailer = readTrailer(buf.subarray(buf.length - TRAILER_BYTES));
  const head = readHeader(buf);
  if (!trailer || !head || (accept && !accept(head.header.createdAt))) return undefined;
  const bodyEnd = buf.length - TRAILER_BYTES + 8;
  if (crc32(buf.subarray(0, bodyEnd)) !== trailer.crc) return undefined;
  const frames: Frame[] = [];
  let at = head.end;
  for (;;) {
    const word = buf.readUInt32BE(at);
    at += 4;
    if (word === 0) break; // the end; an empty raw page is 0x80000000, not this
    const { length, raw } = frameWord(word);
    frames.push({ body: buf.subarray(at, at + length), raw });
    at += length;
  }
  return { key: head.header.key, createdAt: head.header.createdAt, records: trailer.records, frames };
}

// Small entries as text --------------------------------------------------------------------------
//
//   "STRATA-T3 " crc "\n" records " " createdAt " " key length " " page lengths (a,b,...) "\n" key pages
//
// For an entry of pages stored as they are (each under RAW_BELOW) and under TEXT_BELOW characters
// in all: the disk tier keeps it in a file of its own (disk.ts) that one readFileSync(…, 'utf8')
// reads, a single call into Node where the framed format takes open, read and close. crc is the
// CRC-32 (8 hex digits) of the UTF-8 of everything after the first line; lengths count UTF-16 code
// units of the pages, which JSON.stringify makes well formed, so they survive the UTF-8 round trip.

const TEXT_MAGIC = 'STRATA-T3 ';
const TEXT_HEAD = TEXT_MAGIC.length + 8 + 1;
/** Entries up to this many characters of pages may be kept as text. */
export const TEXT_BELOW = 64 * 1024;

export interface TextEntry extends EntryHeader {
  records: number;
  pages: string[];
}

export function encodeTextEntry(header: EntryHeader, pages: string[], records: number): string {
  const rest = `${records} ${header.createdAt} ${header.key.length} ${pages.map((p) => p.length).join(',')}\n${header.key}${pages.join('')}`;
  return `${TEXT_MAGIC}${crc32(rest).toString(16).padStart(8, '0')}\n${rest}`;
}

/**
 * Reads a text entry; undefined when it is torn, corrupt or not one, or `accept` rejects its
 * createdAt (then without the checksum pass).
 */
export function decodeTextEntry(text: string, accept?: (createdAt: number) => boolean): TextEntry | undefined {
  if (!text.startsWith(TEXT_MAGIC) || text.charCodeAt(TEXT_HEAD - 1) !== 10) return undefined;
  const metaEnd = text.indexOf('\n', TEXT_HEAD);
  if (metaEnd < 0) return undefined;
  const meta = text.slice(TEXT_HEAD, metaEnd).split(' ');
  const createdAt = Number(meta[1]);
  if (meta.length !== 4 || (accept && !accept(createdAt))) return undefined;
  if (crc32(text.slice(TEXT_HEAD)) !== Number.parseInt(text.slice(TEXT_MAGIC.length, TEXT_HEAD - 1), 16)) return undefined;
  let at = metaEnd + 1 + Number(meta[2]);
  const key = text.slice(metaEnd + 1, at);
  const pages: string[] = [];
  for (const length of meta[3] ? meta[3].split(',') : []) pages.push(text.slice(at, (at += Number(length))));
  return at === text.length ? { key, createdAt, records: Number(meta[0]), pages } : undefined;
}

/** A whole entry in the framed form, in memory (for Redis, from pages held as text). */
export function encodeEntry(header: EntryHeader, pages: string[], records: number): Buffer {
  const encoder = new EntryEncoder();
  const start = encoder.start({ key: header.key, createdAt: header.createdAt });
  return Buffer.concat([start, ...pages.map((p) => encoder.frame(p)), encoder.finish(records)]);
}
