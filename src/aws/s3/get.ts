// `s3 get`: parallel ranged GETs into a temp file next to the destination, renamed on success.
//   - HeadObject first: size and ETag; every range asks `If-Match: <ETag>`, so an object replaced
//     mid-download fails (412) instead of mixing two versions.
//   - Ranges of PART_SIZE are written at their offsets as their bodies stream in, through a
//     RangeWriter (one write in flight, ≤ 256 KiB gathering behind it); each range is one scheduler job, so a
//     connection closed mid-body is retried by the scheduler and rewrites the same bytes.
//   - Success: fsync, close, rename. Failure or Ctrl-C: the temp file is removed; nothing ever
//     exists under the final name unless it is complete.
//   - The destination is looked at first. A symbolic link is followed: its target is what gets
//     replaced, and the link stays (as cp writes through one). A device or a FIFO (`/dev/null`, a
//     named pipe a reader waits on) is written in place as one stream, since it can neither seek
//     nor be renamed over; a socket is refused. Bytes already in a device cannot be taken back,
//     so that stream is not retried once its body has started.

import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Rec } from '../../cli/types.js';
import { runtimeError } from '../../errors.js';
import { awsError } from '../errors.js';
import type { S3Location } from './url.js';
import { s3Url } from './url.js';
import { RangeWriter } from './range-writer.js';
import { s3Wire, type TransferEnv } from './transfer.js';

/** 8 MiB ranges: large enough that request overhead is small, small enough to spread over sockets. */
export const GET_PART_SIZE = 8 * 1024 * 1024;
/** Ranges of one object in flight (the scheduler caps the lane as a whole). */
export const GET_PARTS_IN_FLIGHT = 8;

export type OpenFile = (path: string, flags: string) => Promise<FileHandle>;

export interface GetOptions {
  partSize?: number;
  partsInFlight?: number;
  /** Opens the temp file (tests inject a disk that fills). @default fs.promises.open */
  openFile?: OpenFile;
}

export function tempPathFor(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.strata-${randomBytes(4).toString('hex')}.part`);
}

function diskError(err: unknown, dest: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return runtimeError('DISK_FULL', `no space left on the device while writing ${dest}`, 'free some space or choose another destination', err);
  if (code === 'EACCES' || code === 'EPERM') return runtimeError('CANNOT_WRITE', `cannot write ${dest}: permission denied`, 'choose a destination you can write to', err);
  if (code === 'EISDIR') return runtimeError('CANNOT_WRITE', `cannot write ${dest}: it is a folder`, 'name a file, or end the destination with / to download into the folder', err);
  // mkdir -p meets a file where a folder should be (EEXIST), or a path runs through a file (ENOTDIR)
  if (code === 'ENOTDIR' || code === 'EEXIST') return runtimeError('CANNOT_WRITE', `cannot write ${dest}: part of its path is a file, not a folder`, 'check the destination path', err);
  return err;
}

/** Where a download lands, and whether that is a device or FIFO written in place. */
async function destinationOf(dest: string): Promise<{ path: string; inPlace: boolean }> {
  const st = await lstat(dest).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw diskError(err, dest);
  });
  if (!st || st.isFile() || st.isDirectory()) return { path: dest, inPlace: false };
  if (st.isSymbolicLink()) {
    const target = await realpath(dest).catch(() => {
      throw runtimeError('CANNOT_WRITE', `${dest} is a symbolic link to nothing`, 'remove the link, or point it at a file');
    });
    return destinationOf(target);
  }
  if (st.isSocket()) throw runtimeError('CANNOT_WRITE', `${dest} is a socket`, 'choose a file, a folder, a device or a FIFO as the destination');
  return { path: dest, inPlace: true };
}

function prematureClose(key: string): Error {
  return Object.assign(new Error(`connection closed before the whole range of ${key} arrived`), { code: 'ECONNRESET' });
}

export async function downloadObject(env: TransferEnv, src: S3Location, dest: string, opts: GetOptions = {}): Promise<Rec> {
  const { GetObjectCommand, HeadObjectCommand } = await import('@aws-sdk/client-s3');
  const wire = await s3Wire(env.rt);
  const url = s3Url(src.bucket, src.key);
  const head = await wire.run('HeadObject', (signal) => wire.client.send(new HeadObjectCommand({ Bucket: src.bucket, Key: src.key }), { abortSignal: signal })).catch((err) => {
    throw awsError(err, url);
  });
  const size = Number(head.ContentLength ?? 0);
  const etag = head.ETag;
  const partSize = Math.max(1, opts.partSize ?? GET_PART_SIZE);
  env.progress.grow(size);

  const target = await destinationOf(dest).catch((err) => {
    throw awsError(err, url);
  });
  if (target.inPlace) {
    await streamInPlace(env, wire, src, target.path, etag).catch((err) => {
      throw awsError(diskError(err, dest), url);
    });
    return { Source: url, Destination: dest, Bytes: size, ETag: etag };
  }
  const path = target.path;
  await mkdir(dirname(path), { recursive: true }).catch((err) => {
    throw awsError(diskError(err, dest), url);
  });
  const tmp = tempPathFor(path);
  let fh: FileHandle | undefined;
  try {
    fh = await (opts.openFile ?? open)(tmp, 'w');
    const file = fh;
    const ranges: Array<[number, number]> = [];
    for (let start = 0; start < size; start += partSize) ranges.push([start, Math.min(size, start + partSize) - 1]);

    const stop = new AbortController();
    const signal = AbortSignal.any([env.rt.signal, stop.signal]);
    const fetchRange = ([first, last]: [number, number]) => {
      // a retried range rewrites the same bytes; progress counts only bytes beyond what it saw
      let reported = first;
      return wire.run('GetObject', async (jobSignal) => {
        const out = await wire.client.send(new GetObjectCommand({ Bucket: src.bucket, Key: src.key, Range: `bytes=${first}-${last}`, IfMatch: etag }), { abortSignal: jobSignal });
        let written = first;
        const writer = new RangeWriter(file, first, (n) => {
          written += n;
          if (written > reported) {
            env.progress.advance(written - reported);
            reported = written;
          }
        });
        let pos = first;
        try {
          for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
            const n = Math.min(chunk.length, last + 1 - pos);
            if (n <= 0) break;
            await env.limiter.take(n, jobSignal);
            await writer.push(n === chunk.length ? chunk : chunk.subarray(0, n));
            pos += n;
          }
        } finally {
          // a failed body still lets its last write land before the file is closed or retried
          await writer.finish().catch(() => undefined);
        }
        await writer.finish();
        if (pos !== last + 1) throw prematureClose(src.key);
      }, { signal });
    };
    const inFlight = Math.max(1, Math.min(opts.partsInFlight ?? GET_PARTS_IN_FLIGHT, env.rt.concurrency));
    let next = 0;
    const worker = async () => {
      while (next < ranges.length) await fetchRange(ranges[next++]);
    };
    const workers = Array.from({ length: Math.min(inFlight, ranges.length) }, worker);
    try {
      await Promise.all(workers);
    } catch (err) {
      stop.abort();
      await Promise.allSettled(workers);
      throw err;
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw awsError(diskError(err, dest), url);
  }
  return { Source: url, Destination: dest, Bytes: size, ETag: etag };
}

/** One GET written where a device or FIFO is (no seek, no rename, no fsync). */
async function streamInPlace(env: TransferEnv, wire: Awaited<ReturnType<typeof s3Wire>>, src: S3Location, path: string, etag: string | undefined): Promise<void> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const file = await open(path, 'w');
  try {
    // the request is retried as any other; the body is not, once bytes may have reached the device
    const out = await wire.run('GetObject', (signal) => wire.client.send(new GetObjectCommand({ Bucket: src.bucket, Key: src.key, IfMatch: etag }), { abortSignal: signal }));
    const writer = new RangeWriter(file, null, (n) => env.progress.advance(n));
    try {
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
        env.rt.signal.throwIfAborted();
        await env.limiter.take(chunk.length, env.rt.signal);
        await writer.push(chunk);
      }
    } finally {
      await writer.finish().catch(() => undefined);
    }
    await writer.finish();
  } finally {
    await file.close();
  }
}
