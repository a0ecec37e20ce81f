// `s3 put`: a file up to one part goes as one PutObject of a Buffer (the scheduler may resend it);
// a bigger one goes through lib-storage's Upload: parts in parallel, part size from the file size,
// and on failure or Ctrl-C the multipart upload is aborted (leavePartsOnError: false) so no
// orphaned parts are billed. lib-storage calls `client.send` itself, so it gets a client whose
// `send` goes through the scheduler (scheduled-client.ts, shared with the mount). Ctrl-C is not
// passed to `upload.abort()` (its `done()` would reject at once, before the cleanup request is
// sent): the run's signal aborts the part requests in the scheduler instead, lib-storage's failure
// path sends AbortMultipartUpload - which goes out even though the signal fired, being the
// cancellation's own last request - and only then rejects.

import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
import type { Rec } from '../../cli/types.js';
import { runtimeError } from '../../errors.js';
import { awsError } from '../errors.js';
import type { ByteLimiter } from './bandwidth.js';
import { scheduledClient } from './scheduled-client.js';
import type { S3Location } from './url.js';
import { s3Url } from './url.js';
import { s3Wire, type TransferEnv } from './transfer.js';

const MiB = 1024 * 1024;

/**
 * Files up to this size are read synchronously: a local read of a few KiB takes microseconds,
 * while the promise API's open/fstat/read/close round trips cost ~0.3 ms of CPU per file — an
 * eighth of what `cp --recursive` spent per small object.
 */
const SYNC_READ_BYTES = 256 * 1024;
/** S3's floor for every part but the last. */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's ceiling on parts per upload. */
export const MAX_PARTS = 10_000;
/** Parts of one file buffered and sent at once: lib-storage holds queueSize × partSize in memory. */
export const PARTS_IN_FLIGHT = 4;

/**
 * 8 MiB parts up to 8 GiB (≤ 1,000 parts, each a cheap retry); beyond that, whole MiBs sized for
 * 1,000 parts, and never so small that a file needs more than S3's 10,000.
 */
export function partSizeFor(size: number): number {
  const byCount = Math.ceil(size / 1000 / MiB) * MiB;
  const floor = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(8 * MiB, MIN_PART_SIZE, byCount, floor);
}

function throttled(limiter: ByteLimiter, signal: AbortSignal): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      limiter.take(chunk.length, signal).then(() => done(null, chunk), done);
    },
  });
}

function localError(err: unknown, file: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return runtimeError('NO_SUCH_FILE', `no such file: ${file}`, 'check the local path');
  if (code === 'EISDIR') return runtimeError('IS_A_DIRECTORY', `${file} is a directory`, 'add --recursive to copy a directory');
  if (code === 'EACCES') return runtimeError('CANNOT_READ', `cannot read ${file}: permission denied`, 'check the file permissions');
  return err;
}

export async function uploadFile(env: TransferEnv, file: string, dst: S3Location, knownSize?: number): Promise<Rec> {
  const url = s3Url(dst.bucket, dst.key);
  try {
    const st = statSync(file);
    const size = knownSize ?? st.size;
    const [{ PutObjectCommand }, wire] = await Promise.all([import('@aws-sdk/client-s3'), s3Wire(env.rt)]);
    const partSize = partSizeFor(size);
    env.progress.grow(size);
    if (size <= partSize) {
      // a FIFO or a device reports size 0 and may block: only regular files are read synchronously
      const body = st.isFile() && size <= SYNC_READ_BYTES ? readFileSync(file) : await readFile(file);
      await env.limiter.take(body.length, env.rt.signal);
      const out = await wire.run('PutObject', (signal) => wire.client.send(new PutObjectCommand({ Bucket: dst.bucket, Key: dst.key, Body: body }), { abortSignal: signal }));
      env.progress.advance(size);
      return { Source: file, Destination: url, Bytes: size, ETag: out.ETag };
    }
    const { Upload } = await import('@aws-sdk/lib-storage');
    const source = createReadStream(file, { highWaterMark: MiB });
    const body = source.pipe(throttled(env.limiter, env.rt.signal));
    source.on('error', (err) => body.destroy(err));
    const upload = new Upload({
      client: scheduledClient(wire.client, wire.run),
      params: { Bucket: dst.bucket, Key: dst.key, Body: body, ContentLength: size },
      partSize,
      queueSize: Math.max(1, Math.min(PARTS_IN_FLIGHT, env.rt.concurrency)),
      leavePartsOnError: false,
    });
    let reported = 0;
    upload.on('httpUploadProgress', (p) => {
      const loaded = p.loaded ?? 0;
      if (loaded > reported) {
        env.progress.advance(loaded - reported);
        reported = loaded;
      }
    });
    try {
      const out = await upload.done();
      return { Source: file, Destination: url, Bytes: size, ETag: out.ETag };
    } finally {
      source.destroy();
    }
  } catch (err) {
    throw awsError(localError(err, file), url);
  }
}
