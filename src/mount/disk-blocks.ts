// The L2 block cache: one file per block under <cache dir>/blocks, written atomically (temp +
// fsync + rename) in the background. A block is stored deflated only when a 64 KiB sample shrinks
// below 80%: random or already-compressed data (most large objects) is stored raw and costs no
// CPU. A 6-byte header (magic, codec, raw length) makes a truncated or foreign file a miss,
// never a crash. Total size is bounded: an in-memory index (built from the directory at start)
// evicts least recently used files first.

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { blockKey, type BlockId } from './block-cache.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

const MAGIC = 0x5b;
const CODEC_RAW = 0;
const CODEC_DEFLATE = 1;
const HEADER = 6;
const SAMPLE = 64 * 1024;
/** Compress only when the sample shrinks below this ratio: less saves too little to pay for the CPU. */
const WORTH_IT = 0.8;
/** Background writes allowed to wait; beyond that a block is not written (it stays in L1). */
const MAX_PENDING_WRITES = 8;

export class DiskBlockCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #index = new Map<string, number>();
  #bytes = 0;
  #ready: Promise<void> | undefined;
  #pendingWrites = 0;
  hits = 0;
  misses = 0;
  writes = 0;
  compressed = 0;

  constructor(opts: { dir: string; maxBytes: number }) {
    this.#dir = opts.dir;
    this.#maxBytes = opts.maxBytes;
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

  async get(id: BlockId): Promise<Buffer | undefined> {
    await this.#init();
    const { name, path } = this.#file(id);
    if (!this.#index.has(name)) {
      this.misses++;
      return undefined;
    }
    try {
      const data = await readFile(path);
      const block = await decode(data);
      if (!block) throw new Error('corrupt block');
      this.#track(name, data.length);
      this.hits++;
      return block;
    } catch {
      this.#forget(name, path);
      this.misses++;
      return undefined;
    }
  }

  /** Stores in the background; never throws (the disk tier is an optimisation). */
  set(id: BlockId, block: Buffer): void {
    if (this.#pendingWrites >= MAX_PENDING_WRITES || block.length + HEADER > this.#maxBytes) return;
    this.#pendingWrites++;
    this.#write(id, block)
      .catch(() => undefined)
      .finally(() => this.#pendingWrites--);
  }

  /** Resolves once background writes have finished (tests, unmount). */
  async drain(): Promise<void> {
    while (this.#pendingWrites > 0) await new Promise((r) => setTimeout(r, 10));
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

async function decode(data: Buffer): Promise<Buffer | undefined> {
  if (data.length < HEADER || data[0] !== MAGIC) return undefined;
  const rawLength = data.readUInt32LE(2);
  const body = data.subarray(HEADER);
  const block = data[1] === CODEC_DEFLATE ? await inflate(body) : data[1] === CODEC_RAW ? body : undefined;
  return block && block.length === rawLength ? block : undefined;
}
