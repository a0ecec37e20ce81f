// S3 listings through the engine: buckets, one level (Delimiter '/'), or every key (recursive).
// S3 is addressed from one region: the scope's, else us-east-1. On AWS the client follows region
// redirects (clients.ts); with --endpoint-url it does not, and a 301 names the bucket's region.

import type { Rec } from '../../cli/types.js';
import type { AwsRuntime } from '../runtime.js';
import { S3_CATALOGUE } from '../catalogue.js';
import { read, type Paging } from '../read.js';
import { usageError } from '../../errors.js';
import type { S3Location } from './url.js';

/** The region S3 requests are signed for when none is given (on AWS, buckets elsewhere are redirected). */
export const S3_DEFAULT_REGION = 'us-east-1';

export function s3Region(rt: AwsRuntime): string {
  const r = rt.scope.region?.trim();
  if (r === 'all') throw usageError('REGION_ALL', '--region all does not apply to S3', 'leave --region out, or name the region of the bucket');
  return r || S3_DEFAULT_REGION;
}

export interface ListOptions {
  recursive?: boolean;
  paging?: Paging;
  onNextToken?(token: string): void;
}

export function listBuckets(rt: AwsRuntime, paging?: Paging, onNextToken?: (t: string) => void): AsyncIterable<Rec> {
  return read(rt, { entry: S3_CATALOGUE.buckets, region: s3Region(rt), params: {}, paging, onNextToken });
}

export function listObjectsParams(loc: S3Location, recursive: boolean): Record<string, unknown> {
  return { Bucket: loc.bucket, Prefix: loc.key || undefined, Delimiter: recursive ? undefined : '/' };
}

/** Records `{Type:'object', Key, Size, LastModified, ETag, StorageClass, Bucket}` and `{Type:'prefix', Prefix, Bucket}`. */
export function listObjects(rt: AwsRuntime, loc: S3Location, opts: ListOptions = {}): AsyncIterable<Rec> {
  return read(rt, { entry: S3_CATALOGUE.objects, region: s3Region(rt), params: listObjectsParams(loc, !!opts.recursive), paging: opts.paging, onNextToken: opts.onNextToken });
}
