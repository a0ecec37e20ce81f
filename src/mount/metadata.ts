// Metadata through the engine (DESIGN: one path): HeadObject answers (including "no such key")
// and one-level listings are engine operations with a short TTL, keyed like every other S3 read
// (`aws:<profile>:<region>:s3:<Operation>:<bucket>:<hash>`). Listings use the same parameters and
// record shapes as `strata s3 ls`, so the two share cache entries. Our own writes invalidate the
// key's HEAD entry and the listings of its parent and of itself, in the engine.
//
// On top sits a memo of *decoded* answers for MEMO_MS (the kernel's own attribute timeout):
// `ls -l` of a 1,000-entry directory asks getattr of every child, and each is answered from the
// parent listing; re-reading 1,000 records from the engine per child would make that quadratic.
// Measured figures (engine L1 hit vs memo) are in docs/mount.md. The memo is cleared by the same
// invalidations, so a process still sees its own writes at once.

import { LRUCache } from 'lru-cache';
import type { Rec } from '../cli/types.js';
import type { Engine } from '../engine/index.js';
import type { Operation, Scope } from '../engine/types.js';
import { s3ObjectRecord, s3PrefixRecord } from '../aws/normalise.js';
import type { Clock } from '../util/clock.js';
import type { Listing, ObjectHead, ObjectStore } from './object-store.js';

/** How long a decoded answer is reused without asking the engine, ms. */
export const MEMO_MS = 1_000;
const MEMO_ENTRIES = 20_000;

type Memo = { head: ObjectHead | null } | { listing: Listing };

export class MetadataCache {
  readonly #store: ObjectStore;
  readonly #engine: Engine;
  readonly #scope: Scope;
  readonly #ttlMs: number;
  readonly #memo: LRUCache<string, Memo>;
  hits = 0;
  misses = 0;

  constructor(opts: { store: ObjectStore; engine: Engine; scope: Scope; ttlMs: number; clock: Clock }) {
    this.#store = opts.store;
    this.#engine = opts.engine;
    this.#scope = opts.scope;
    this.#ttlMs = opts.ttlMs;
    this.#memo = new LRUCache<string, Memo>({ max: MEMO_ENTRIES, ttl: Math.min(MEMO_MS, opts.ttlMs), perf: { now: () => opts.clock.monotonic() } });
  }

  #headOp(key: string): Operation {
    return { service: 's3', name: 'HeadObject', params: { Bucket: this.#store.bucket, Key: key }, scope: this.#scope };
  }

  #listOp(prefix: string): Operation {
    return { service: 's3', name: 'ListObjectsV2', params: { Bucket: this.#store.bucket, Prefix: prefix || undefined, Delimiter: '/' }, scope: this.#scope };
  }

  /** The object at `key`, or null when there is none. */
  async head(key: string): Promise<ObjectHead | null> {
    const memo = this.#memo.get(`h:${key}`);
    if (memo && 'head' in memo) {
      this.hits++;
      return memo.head;
    }
    const parent = parentPrefix(key);
    const listing = this.peekList(parent);
    if (listing) {
      this.hits++;
      return listing.files.get(key.slice(parent.length)) ?? null;
    }
    this.misses++;
    const bucket = this.#store.bucket;
    const store = this.#store;
    let head: ObjectHead | null = null;
    for await (const r of this.#engine.stream(
      this.#headOp(key),
      async function* () {
        const h = await store.head(key);
        yield h ? s3ObjectRecord({ Key: key, Size: h.size, ETag: h.etag, LastModified: new Date(h.mtime).toISOString() }, bucket) : { Type: 'missing', Key: key, Bucket: bucket };
      },
      { ttl: this.#ttlMs },
    )) {
      head = r.Type === 'object' ? headOf(r) : null;
    }
    this.#memo.set(`h:${key}`, { head });
    return head;
  }

  /** A listing of `prefix` decoded in the last MEMO_MS, without asking anything. */
  peekList(prefix: string): Listing | undefined {
    const memo = this.#memo.get(`l:${prefix}`);
    return memo && 'listing' in memo ? memo.listing : undefined;
  }

  async list(prefix: string): Promise<Listing> {
    const cached = this.peekList(prefix);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const bucket = this.#store.bucket;
    const store = this.#store;
    const listing: Listing = { dirs: [], files: new Map(), marker: false };
    for await (const r of this.#engine.stream(
      this.#listOp(prefix),
      async function* () {
        const l = await store.list(prefix);
        if (l.marker) yield s3ObjectRecord({ Key: prefix, Size: 0 }, bucket);
        for (const d of l.dirs) yield s3PrefixRecord({ Prefix: `${prefix}${d}/` }, bucket);
        for (const [name, h] of l.files) yield s3ObjectRecord({ Key: prefix + name, Size: h.size, ETag: h.etag, LastModified: new Date(h.mtime).toISOString() }, bucket);
      },
      { ttl: this.#ttlMs },
    )) {
      if (r.Type === 'prefix') {
        const name = String(r.Prefix).slice(prefix.length).replace(/\/$/, '');
        if (name) listing.dirs.push(name);
      } else if (r.Type === 'object') {
        const name = String(r.Key).slice(prefix.length);
        if (name) listing.files.set(name, headOf(r));
        else listing.marker = true;
      }
    }
    this.#memo.set(`l:${prefix}`, { listing });
    return listing;
  }

  /**
   * Forgets what we know about `key` (a file or a 'dir/' prefix), its own listing and its parent's,
   * here and in the engine; resolves once the engine has dropped them.
   */
  async invalidate(key: string): Promise<void> {
    const file = key.replace(/\/$/, '');
    const ownPrefix = `${file}/`;
    const parent = parentPrefix(key);
    for (const k of [`h:${key}`, `h:${file}`, `l:${ownPrefix}`, `l:${parent}`]) this.#memo.delete(k);
    const keys = new Set([this.#headOp(key), this.#headOp(file), this.#listOp(ownPrefix), this.#listOp(parent)].map((op) => this.#engine.key(op)));
    await Promise.all([...keys].map((k) => this.#engine.invalidate(k)));
  }
}

function headOf(r: Rec): ObjectHead {
  const mtime = typeof r.LastModified === 'string' ? Date.parse(r.LastModified) : 0;
  return { size: Number(r.Size ?? 0), etag: String(r.ETag ?? ''), mtime: Number.isFinite(mtime) ? mtime : 0 };
}

/** 'a/b/c' → 'a/b/'; 'a/b/' → 'a/'; 'a' → ''. */
export function parentPrefix(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '' : trimmed.slice(0, i + 1);
}
