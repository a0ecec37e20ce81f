// `s3 get`: parallel ranged GETs into a temp file next to the destination, renamed on success.
//   - The destination is looked at first, before any request. A symbolic link is followed: its
//     target is what gets replaced, and the link stays (as cp writes through one). A folder, a
//     FIFO, a socket or a block device is refused (see destinationOf). A character device
//     (`/dev/null`) is written in place as one GET, since it can neither seek nor be renamed over;
//     bytes in a device cannot be taken back, so that body is not retried once it has started.
//   - Otherwise HeadObject gives size and ETag; every range asks `If-Match: <ETag>`, so an object
//     replaced mid-download fails (412) instead of mixing two versions.
//   - Ranges of PART_SIZE are written at their offsets as their bodies stream in, through a
//     RangeWriter (one write in flight, ≤ 256 KiB gathering behind it); each range is one
//     scheduler job, so a connection closed mid-body is retried and rewrites the same bytes.
//   - Success: fsync, close, rename. Failure or Ctrl-C: the temp file is removed; nothing ever
//     exists under the final name unless it is complete.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Rec } from '../../cli/types.js';
import { runtimeError } from '../../errors.js';
import { awsError } from '../errors.js';
import type { S3Location } from './url.js';
import { s3Url } from './url.js';
import { RangeWriter } from './range-writer.js';
import type { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3Wire, type S3Wire, type TransferEnv } from './transfer.js';

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
  if (code === 'EPIPE') return runtimeError('CANNOT_WRITE', `cannot write ${dest}: its reader closed it`, 'give a file path, then read the file', err);
  if (code === 'ENOSPC') return runtimeError('DISK_FULL', `no space left on the device while writing ${dest}`, 'free some space or choose another destination', err);
  if (code === 'EACCES' || code === 'EPERM') return runtimeError('CANNOT_WRITE', `cannot write ${dest}: permission denied`, 'choose a destination you can write to', err);
  if (code === 'EISDIR') return folderError(dest, err);
  // mkdir -p meets a file where a folder should be (EEXIST), or a path runs through a file (ENOTDIR)
  if (code === 'ENOTDIR' || code === 'EEXIST') return runtimeError('CANNOT_WRITE', `cannot write ${dest}: part of its path is a file, not a folder`, 'check the destination path', err);
  return err;
}

function folderError(dest: string, cause?: unknown): Error {
  return runtimeError('CANNOT_WRITE', `cannot write ${dest}: it is a folder`, 'name a file, or end the destination with / to download into the folder', cause);
}

/**
 * Where a download lands, found before any request. A regular file (or none) is replaced
 * atomically; a character device (`/dev/null`, a terminal) is written in place; a symbolic link
 * is followed (its target's real path is what gets written). A folder is refused, as the rename
 * onto it would fail once every byte had come; so are a FIFO, a socket and a block device: a pipe
 * with no reader, or one that stops reading, would block a thread-pool write no signal can stop.
 */
async function destinationOf(dest: string): Promise<{ path: string; inPlace: boolean }> {
  const st = await lstat(dest).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw diskError(err, dest);
  });
  if (!st) return { path: dest, inPlace: false };
  const link = st.isSymbolicLink();
  const target = link
    ? await stat(dest).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ELOOP') throw runtimeError('CANNOT_WRITE', `${dest} is a loop of symbolic links`, 'remove the loop, or give another destination');
        if (err.code === 'ENOENT') throw runtimeError('CANNOT_WRITE', `${dest} is a symbolic link to nothing`, 'remove the link, or point it at a file');
        throw diskError(err, dest);
      })
    : st;
  if (target.isDirectory()) throw folderError(dest);
  if (!target.isFile() && !target.isCharacterDevice()) {
    const what = target.isFIFO() ? 'a named pipe' : target.isSocket() ? 'a socket' : 'a block device';
    throw runtimeError('CANNOT_WRITE', `${dest} is ${what}: downloads go to files, folders or character devices such as /dev/null`, 'give a file path, then read the file');
  }
  return { path: link ? await realpath(dest) : dest, inPlace: target.isCharacterDevice() };
}

/**
 * Writes at most `max` bytes of a body through `writer` (throttled, one write in flight), returning
 * how many came. A failed body still lets its last write land before the file is closed or retried.
 */
async function pump(body: AsyncIterable<Uint8Array>, writer: RangeWriter, env: TransferEnv, signal: AbortSignal, max: number): Promise<number> {
  let got = 0;
  try {
    for await (const chunk of body) {
      signal.throwIfAborted();
      const n = Math.min(chunk.length, max - got);
      if (n <= 0) break;
      await env.limiter.take(n, signal);
      await writer.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      got += n;
    }
  } catch (err) {
    await writer.finish().catch(() => undefined);
    throw err;
  }
  await writer.finish();
  return got;
}

function prematureClose(key: string): Error {
  return Object.assign(new Error(`connection closed before the whole range of ${key} arrived`), { code: 'ECONNRESET' });
}

export async function downloadObject(env: TransferEnv, src: S3Location, dest: string, opts: GetOptions = {}): Promise<Rec> {
  const { GetObjectCommand, HeadObjectCommand } = await import('@aws-sdk/client-s3');
  const wire = await s3Wire(env.rt);
  const url = s3Url(src.bucket, src.key);
  const target = await destinationOf(dest).catch((err) => {
    throw awsError(err, url);
  });
  if (target.inPlace) {
    const { size, etag } = await streamInPlace(env, wire, GetObjectCommand, src, target.path).catch((err) => {
      throw awsError(diskError(err, dest), url);
    });
    return { Source: url, Destination: dest, Bytes: size, ETag: etag };
  }
  const head = await wire.run('HeadObject', (signal) => wire.client.send(new HeadObjectCommand({ Bucket: src.bucket, Key: src.key }), { abortSignal: signal })).catch((err) => {
    throw awsError(err, url);
  });
  const size = Number(head.ContentLength ?? 0);
  const etag = head.ETag;
  const partSize = Math.max(1, opts.partSize ?? GET_PART_SIZE);
  env.progress.grow(size);
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
        const got = await pump(out.Body as AsyncIterable<Uint8Array>, writer, env, jobSignal, last + 1 - first);
        if (got !== last + 1 - first) throw prematureClose(src.key);
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

/**
 * One GET written into a character device (no seek, no rename, no fsync, no HeadObject: the GET
 * gives size and ETag). Opened without create, truncate or following a link, then checked again,
 * so a file swapped in since the check is not written in place; the bytes are counted against the
 * object's size. The request is retried as any other, the body is not: bytes in a device cannot be
 * taken back, so once it has started a failure is returned from the job rather than thrown (a
 * cancelled job still throws, and the scheduler reports the cancellation).
 */
async function streamInPlace(env: TransferEnv, wire: S3Wire, GetObject: typeof GetObjectCommand, src: S3Location, path: string): Promise<{ size: number; etag?: string }> {
  const file = await open(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    if (!(await file.stat()).isCharacterDevice()) throw runtimeError('CANNOT_WRITE', `${path} changed while the download started`, 'run the command again');
    const result = await wire.run('GetObject', async (signal) => {
      const out = await wire.client.send(new GetObject({ Bucket: src.bucket, Key: src.key }), { abortSignal: signal });
      const size = Number(out.ContentLength ?? 0);
      env.progress.grow(size);
      try {
        const got = await pump(out.Body as AsyncIterable<Uint8Array>, new RangeWriter(file, null, (n) => env.progress.advance(n)), env, signal, size);
        return got === size ? { size, etag: out.ETag } : { failure: prematureClose(src.key) };
      } catch (failure) {
        if (signal.aborted) throw failure;
        return { failure };
      }
    });
    if ('failure' in result) throw result.failure;
    return result;
  } finally {
    await file.close();
  }
}
