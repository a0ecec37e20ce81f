// Every S3 request the mount makes, each one run through the shared scheduler (in the S3 lane of
// its account and endpoint, aws/runtime.ts laneOf) with the priority of the work it serves, and
// timed into the mount's stats. Listings page through the shared pagination loop
// (src/aws/paginate.ts). Multipart uploads use @aws-sdk/lib-storage with the shared
// scheduler-wrapped client (src/aws/s3/scheduled-client.ts), so each part is one scheduled request.

import { createReadStream } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3_CATALOGUE } from '../aws/catalogue.js';
import { paginate } from '../aws/paginate.js';
import { scheduledClient } from '../aws/s3/scheduled-client.js';
import type { Priority, ScheduleOptions, Scheduler } from '../scheduler/types.js';
import type { MountStats } from './stats.js';

export interface ObjectHead {
  size: number;
  etag: string;
  mtime: number;
}

export interface Listing {
  /** Sub-prefix names (without the trailing '/'). */
  dirs: string[];
  /** Objects directly under the prefix, by name. */
  files: Map<string, ObjectHead>;
  /** The prefix's own marker object ('dir/') exists (an empty directory made by mkdir). */
  marker: boolean;
}

/** Objects at or above this size go up as multipart with parallel parts. */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_PARALLEL = 4;

export class ObjectStore {
  readonly bucket: string;
  readonly #client: S3Client;
  readonly #scheduler: Scheduler;
  readonly #lane: string;
  readonly #stats: MountStats;
  readonly #sdk: Promise<typeof import('@aws-sdk/client-s3')>;

  constructor(opts: { bucket: string; client: S3Client; scheduler: Scheduler; lane: string; stats: MountStats }) {
    this.bucket = opts.bucket;
    this.#client = opts.client;
    this.#scheduler = opts.scheduler;
    this.#lane = opts.lane;
    this.#stats = opts.stats;
    this.#sdk = import('@aws-sdk/client-s3');
  }

  /** One job in the S3 lane, timed into the stats as `name`. */
  #run<T>(name: string, priority: Priority, job: (signal: AbortSignal) => Promise<T>, opts?: ScheduleOptions): Promise<T> {
    return this.#scheduler.schedule(
      this.#lane,
      async (signal) => {
        const t0 = this.#stats.clock.monotonic();
        try {
          const out = await job(signal);
          this.#stats.request(name, this.#stats.clock.monotonic() - t0, true);
          return out;
        } catch (err) {
          this.#stats.request(name, this.#stats.clock.monotonic() - t0, false);
          throw err;
        }
      },
      { priority, ...opts },
    );
  }

  /** One scheduled request; `consume` reads the response body inside the slot (so retries cover it). */
  async #send<T>(
    name: string,
    priority: Priority,
    make: (sdk: typeof import('@aws-sdk/client-s3')) => any,
    consume: (out: any) => Promise<T> = async (out) => out as T,
  ): Promise<T> {
    const sdk = await this.#sdk;
    return this.#run(name, priority, async (signal) => consume(await this.#client.send(make(sdk), { abortSignal: signal })));
  }

  /** ListObjectsV2 items (Contents, then CommonPrefixes) of every page, one scheduled request per page. */
  #listItems(input: Record<string, unknown>, priority: Priority): AsyncGenerator<Record<string, any>> {
    return paginate(S3_CATALOGUE.objects.page, (page) => this.#send('ListObjectsV2', priority, (s) => new s.ListObjectsV2Command(page as any)), input);
  }

  /** HeadObject; undefined when the key does not exist. */
  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const out: any = await this.#send('HeadObject', 'interactive', (s) => new s.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: Number(out.ContentLength ?? 0), etag: String(out.ETag ?? ''), mtime: out.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One directory level under `prefix` (ending in '/' or empty), all pages. */
  async list(prefix: string): Promise<Listing> {
    const listing: Listing = { dirs: [], files: new Map(), marker: false };
    for await (const item of this.#listItems({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/' }, 'interactive')) {
      if (item.Key === undefined) {
        const name = String(item.Prefix).slice(prefix.length).replace(/\/$/, '');
        if (name) listing.dirs.push(name);
        continue;
      }
      const name = String(item.Key).slice(prefix.length);
      if (!name) listing.marker = true;
      else listing.files.set(name, headOf(item));
    }
    return listing;
  }

  /** Every object under `prefix` (recursive), page by page. */
  async *listRecursive(prefix: string, priority: Priority = 'interactive'): AsyncIterable<{ key: string; head: ObjectHead }> {
    for await (const item of this.#listItems({ Bucket: this.bucket, Prefix: prefix }, priority)) {
      if (item.Key !== undefined) yield { key: String(item.Key), head: headOf(item) };
    }
  }

  /**
   * GET of bytes [start, end) of one version into `into` (If-Match on the ETag: a changed object
   * fails, never mixes). Straight into the caller's (pooled) buffer: no chunk list, no second copy.
   */
  async getRange(key: string, etag: string, start: number, end: number, priority: Priority, into: Buffer): Promise<void> {
    const want = end - start;
    if (into.length < want) throw new RangeError(`Expected a buffer of at least ${want} bytes, got ${into.length}`);
    await this.#send(
      'GetObject',
      priority,
      (s) => new s.GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end - 1}`, IfMatch: etag || undefined }),
      async (out) => {
        let at = 0;
        for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
          if (at + chunk.length > want) throw new Error(`GetObject returned more than the ${want} bytes asked for`);
          into.set(chunk, at);
          at += chunk.length;
        }
        if (at !== want) throw new Error(`GetObject returned ${at} of ${want} bytes`);
      },
    );
    this.#stats.bytes.downloaded += want;
  }

  async putEmpty(key: string): Promise<void> {
    await this.#send('PutObject', 'interactive', (s) => new s.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: '' }));
  }

  /** Uploads a local file as `key`: one PUT when small, multipart with parallel parts when large. */
  async upload(key: string, path: string, size: number): Promise<void> {
    if (size < MULTIPART_THRESHOLD) {
      const { readFile } = await import('node:fs/promises');
      const body = await readFile(path);
      await this.#send('PutObject', 'interactive', (s) => new s.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
    } else {
      const { Upload } = await import('@aws-sdk/lib-storage');
      const upload = new Upload({
        client: scheduledClient(this.#client, (operation, job, opts) => this.#run(operation, 'interactive', job, opts)),
        params: { Bucket: this.bucket, Key: key, Body: createReadStream(path) },
        partSize: PART_SIZE,
        queueSize: PARTS_IN_PARALLEL,
        leavePartsOnError: false,
      });
      await upload.done();
    }
    this.#stats.bytes.uploaded += size;
  }

  async copy(from: string, to: string): Promise<void> {
    await this.#send('CopyObject', 'interactive', (s) =>
      new s.CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${encodeURIComponent(from).replace(/%2F/g, '/')}` }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.#send('DeleteObject', 'interactive', (s) => new s.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

function headOf(o: Record<string, any>): ObjectHead {
  return { size: Number(o.Size ?? 0), etag: String(o.ETag ?? ''), mtime: o.LastModified?.getTime() ?? 0 };
}

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
