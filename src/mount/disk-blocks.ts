// The L2 block cache: one file per block under <cache dir>/blocks, written atomically (temp +
// fsync + rename) in the background, one write at a time and off the read path: a block is
// queued only while the queue is short (MAX_QUEUED_WRITES) and the owner says the disk may be
// used (`admit`, false while a foreground read waits for a GET); otherwise it is skipped (counted)
// and lives in L1 only. Reads land in a pooled block (block-pool.ts), not a fresh buffer. A block is stored deflated only when a 64 KiB sample shrinks
// below 80%: random or already-compressed data (most large objects) is stored raw and costs no
// CPU. A 6-byte header (magic, codec, raw length) makes a truncated or foreign file a miss,
// never a crash. Total size is bounded: an in-memory index (built from the directory at start)
// evicts least recently used files first.

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { blockKey, type BlockId } from './block-cache.js';
import type { BlockPool, PooledBlock } from './block-pool.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

const MAGIC = 0x5b;
const CODEC_RAW = 0;
const CODEC_DEFLATE = 1;
const HEADER = 6;
const SAMPLE = 64 * 1024;
/** Compress only when the sample shrinks below this ratio: less saves too little to pay for the CPU. */
const WORTH_IT = 0.8;
/** Blocks waiting for the disk writer; beyond that a block is not written (it stays in L1). */
const MAX_QUEUED_WRITES = 2;

export class DiskBlockCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #pool: BlockPool;
  readonly #admit: () => boolean;
  readonly #index = new Map<string, number>();
  readonly #queue: Array<{ id: BlockId; block: PooledBlock }> = [];
  #writing: Promise<void> | undefined;
  #bytes = 0;
  #ready: Promise<void> | undefined;
  hits = 0;
  misses = 0;
  writes = 0;
  compressed = 0;
  /** Blocks not written because the writer was busy or the owner refused (foreground waiting). */
  skipped = 0;

  constructor(opts: { dir: string; maxBytes: number; pool: BlockPool; admit?: () => boolean }) {
    this.#dir = opts.dir;
    this.#maxBytes = opts.maxBytes;
    this.#pool = opts.pool;
    this.#admit = opts.admit ?? (() => true);
  }

  get bytes(): number {
    return this.#bytes;
  }

  #file(id: BlockId): { name: string; path: string } {
    const name = createHash('sha256').update(blockKey(id)).digest('hex');
    return { name, path: join(this.#dir, name.slice(0, 2), name) };
  }

  #init(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.#dir, { recursive: true });
      for (const sub of await readdir(this.#dir).catch(() => [] as string[])) {
        for (const name of await readdir(join(this.#dir, sub)).catch(() => [] as string[])) {
          if (name.includes('.tmp')) continue;
          const st = await stat(join(this.#dir, sub, name)).catch(() => undefined);
          if (st) this.#track(name, st.size);
        }
      }
    })();
    return this.#ready;
  }

  #track(name: string, size: number): void {
    const old = this.#index.get(name);
    if (old !== undefined) this.#bytes -= old;
    this.#index.delete(name);
    this.#index.set(name, size);
    this.#bytes += size;
  }

  /** The block held once for the caller, or undefined (absent, truncated, foreign). */
  async get(id: BlockId): Promise<PooledBlock | undefined> {
    await this.#init();
    const { name, path } = this.#file(id);
    if (!this.#index.has(name)) {
      this.misses++;
      return undefined;
    }
    try {
      const { block, fileBytes } = await this.#read(path);
      this.#track(name, fileBytes);
      this.hits++;
      return block;
    } catch {
      this.#forget(name, path);
      this.misses++;
      return undefined;
    }
  }

  /** Raw blocks are read straight into a pooled block; deflated ones are inflated, then copied in. */
  async #read(path: string): Promise<{ block: PooledBlock; fileBytes: number }> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const header = Buffer.alloc(HEADER);
      if (size < HEADER || (await fh.read(header, 0, HEADER, 0)).bytesRead !== HEADER || header[0] !== MAGIC) throw new Error('corrupt block');
      const rawLength = header.readUInt32LE(2);
      const block = this.#pool.acquire(rawLength);
      try {
        if (header[1] === CODEC_RAW) {
          if (size - HEADER !== rawLength || (await fh.read(block.data, 0, rawLength, HEADER)).bytesRead !== rawLength) throw new Error('corrupt block');
        } else if (header[1] === CODEC_DEFLATE) {
          const packed = Buffer.allocUnsafe(size - HEADER);
          await fh.read(packed, 0, packed.length, HEADER);
          const raw = await inflate(packed);
          if (raw.length !== rawLength) throw new Error('corrupt block');
          raw.copy(block.data);
        } else {
          throw new Error('corrupt block');
        }
        return { block, fileBytes: size };
      } catch (err) {
        block.release();
        throw err;
      }
    } finally {
      await fh.close();
    }
  }

  /** Queues a background store (holding the block until written); never throws (the disk tier is an optimisation). */
  set(id: BlockId, block: PooledBlock): void {
    if (this.#queue.length >= MAX_QUEUED_WRITES || block.length + HEADER > this.#maxBytes || !this.#admit()) {
      this.skipped++;
      return;
    }
    this.#queue.push({ id, block: block.retain() });
    this.#writing ??= this.#writeQueued().finally(() => (this.#writing = undefined));
  }

  async #writeQueued(): Promise<void> {
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      try {
        await this.#write(next.id, next.block.data);
      } catch {
        // a failed cache write costs a future miss, nothing more
      } finally {
        next.block.release();
      }
    }
  }

  /** Stores now and resolves once written (warming, which exists to fill this tier). */
  async put(id: BlockId, block: PooledBlock): Promise<void> {
    if (block.length + HEADER > this.#maxBytes) return;
    block.retain();
    try {
      await this.#write(id, block.data);
    } finally {
      block.release();
    }
  }

  /** Resolves once background writes have finished (tests, unmount). */
  async drain(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #write(id: BlockId, block: Buffer): Promise<void> {
    await this.#init();
    const { name, path } = this.#file(id);
    if (this.#index.has(name)) return;
    const [header, body] = await encode(block);
    if (header[1] === CODEC_DEFLATE) this.compressed++;
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writev([header, body]);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    this.writes++;
    this.#track(name, header.length + body.length);
    await this.#evict();
  }

  async #evict(): Promise<void> {
    while (this.#bytes > this.#maxBytes && this.#index.size > 0) {
      const [name] = this.#index.keys();
      this.#forget(name, join(this.#dir, name.slice(0, 2), name));
    }
  }

  #forget(name: string, path: string): void {
    const size = this.#index.get(name);
    if (size !== undefined) this.#bytes -= size;
    this.#index.delete(name);
    unlink(path).catch(() => undefined);
  }
}

/** Header and body, written with one writev (no 4 MiB concatenation on the event loop). */
async function encode(block: Buffer): Promise<[Buffer, Buffer]> {
  let codec = CODEC_RAW;
  let body = block;
  const sample = block.subarray(0, SAMPLE);
  if (sample.length > 0 && (await deflate(sample, { level: 1 })).length < sample.length * WORTH_IT) {
    const packed = await deflate(block, { level: 1 });
    if (packed.length < block.length * WORTH_IT) {
      codec = CODEC_DEFLATE;
      body = packed;
    }
  }
  const header = Buffer.alloc(HEADER);
  header[0] = MAGIC;
  header[1] = codec;
  header.writeUInt32LE(block.length, 2);
  return [header, body];
}
