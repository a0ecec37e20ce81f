// The S3 client given to lib-storage's Upload, which calls `client.send` itself: the real client
// behind a Proxy whose `send` runs each command (CreateMultipartUpload, every UploadPart,
// Complete/AbortMultipartUpload) as one job of the caller's `run`, with the job's signal as the
// request's abortSignal. Used by `s3 put` and by the mount, which differ only in `run` (lane,
// priority, signal; the mount times each request by the operation name it is handed).
// AbortMultipartUpload is the cancellation's own last request: lib-storage sends it after a part
// failed or was cancelled, so it is run with `signal: undefined` (not the caller's, which has
// fired by then) and goes out, leaving no orphaned parts.

import type { S3Client } from '@aws-sdk/client-s3';
import type { ScheduleOptions } from '../../scheduler/types.js';

/** Runs one request named `operation` (e.g. 'UploadPart'); `opts` override the caller's defaults. */
export type RunRequest = <T>(operation: string, job: (signal: AbortSignal) => Promise<T>, opts?: ScheduleOptions) => Promise<T>;

export function scheduledClient(client: S3Client, run: RunRequest): S3Client {
  return new Proxy(client, {
    get(target, prop) {
      if (prop !== 'send') return Reflect.get(target, prop, target);
      return (cmd: { constructor?: { name?: string } }, opts?: Record<string, unknown>) => {
        const operation = String(cmd?.constructor?.name ?? 'Command').replace(/Command$/, '');
        const cleanup = operation === 'AbortMultipartUpload';
        return run(operation, (signal) => target.send(cmd as never, { ...opts, abortSignal: signal }), cleanup ? { signal: undefined } : undefined);
      };
    },
  });
}
