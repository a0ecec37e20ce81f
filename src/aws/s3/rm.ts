// `s3 rm`: one object, or with --recursive every key under a prefix, deleted in batches of up to
// 1,000 keys (DeleteObjects, the API's limit) through the scheduler. The keys to delete come from a
// fresh listing, never from the cache: a stale listing would miss keys written since. Afterwards
// the bucket's cached listings are invalidated. A key S3 refuses to delete is reported through
// `onItemError` (an error record with --keep-going), and the rest go on.

import type { Rec } from '../../cli/types.js';
import type { AwsRuntime } from '../runtime.js';
import { send } from '../send.js';
import { awsError } from '../errors.js';
import { runtimeError, usageError } from '../../errors.js';
import { listObjects, s3Region } from './list.js';
import { invalidateListings } from './invalidate.js';
import { s3Url, type S3Location } from './url.js';

/** DeleteObjects takes at most this many keys per request. */
const BATCH = 1000;

export interface RemoveOptions {
  recursive?: boolean;
  /** List what would be deleted; delete nothing. */
  dryRun?: boolean;
  onItemError?(err: unknown, item: Rec): void;
}

export async function* removeObjects(rt: AwsRuntime, loc: S3Location, opts: RemoveOptions = {}): AsyncGenerator<Rec> {
  if (!opts.recursive && (loc.key === '' || loc.key.endsWith('/'))) {
    throw usageError('RM_NEEDS_KEY', `${s3Url(loc.bucket, loc.key)} names a prefix, not an object`, 'add --recursive to delete every key under it, or name one object');
  }
  const region = s3Region(rt);
  let deleted = false;
  try {
    if (!opts.recursive) {
      if (!opts.dryRun) {
        await sendOrExplain(rt, region, 'DeleteObject', { Bucket: loc.bucket, Key: loc.key }, s3Url(loc.bucket, loc.key));
        deleted = true;
      }
      yield { Bucket: loc.bucket, Key: loc.key, Deleted: !opts.dryRun };
      return;
    }
    let batch: string[] = [];
    const flush = async function* (): AsyncGenerator<Rec> {
      const keys = batch;
      batch = [];
      if (opts.dryRun) {
        for (const Key of keys) yield { Bucket: loc.bucket, Key, Deleted: false };
        return;
      }
      const out = await sendOrExplain(rt, region, 'DeleteObjects', { Bucket: loc.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: false } }, s3Url(loc.bucket, loc.key));
      deleted = true;
      for (const d of (out.Deleted as Array<{ Key?: string }> | undefined) ?? []) yield { Bucket: loc.bucket, Key: d.Key, Deleted: true };
      for (const e of (out.Errors as Array<{ Key?: string; Code?: string; Message?: string }> | undefined) ?? []) {
        const err = runtimeError(`S3_${e.Code ?? 'DELETE_FAILED'}`, `could not delete ${s3Url(loc.bucket, e.Key ?? '')}: ${e.Message ?? e.Code}`, 'check your permissions on the bucket');
        if (!opts.onItemError) throw err;
        opts.onItemError(err, { Bucket: loc.bucket, Key: e.Key });
      }
    };
    for await (const rec of listObjects({ ...rt, cacheMode: 'no-cache' }, loc, { recursive: true })) {
      if (rec.Type !== 'object') continue;
      batch.push(String(rec.Key));
      if (batch.length === BATCH) yield* flush();
    }
    if (batch.length > 0) yield* flush();
  } finally {
    if (deleted) await invalidateListings(rt, loc.bucket);
  }
}

async function sendOrExplain(rt: AwsRuntime, region: string, operation: string, input: Record<string, unknown>, what: string): Promise<Record<string, unknown>> {
  try {
    return await send(rt, 's3', region, operation, input);
  } catch (err) {
    throw awsError(err, what);
  }
}
