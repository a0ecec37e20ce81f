// Cache keys. One operation, one key: `aws:<profile>:<region>:<service>:<Operation>:<hash>`
// (S3 operations on a bucket: `aws:<profile>:<region>:s3:<Operation>:<bucket>:<hash>`). Task
// folders have one entry each, their index, `tasks:<folder hash>:index` (src/tasks/index-file.ts).
// The hash is over a canonical JSON of the parameters, so calls that mean the same thing share a
// key:
//   - object keys sorted; undefined, null, empty arrays and empty objects dropped (the API's defaults);
//   - page-size fields dropped (they change how a listing is paged, never what it contains);
//   - credential-like fields dropped, so a secret never reaches a key (the hash is one-way anyway).
// A custom endpoint is part of the identity: it goes into the hash, so `aws:*:us-east-1:*` still
// matches entries read from LocalStack in us-east-1 (invalidating a little more is always safe).

import { createHash } from 'node:crypto';
import type { Operation } from './types.js';

const PAGE_SIZE_FIELDS = new Set(['MaxResults', 'MaxKeys', 'MaxUploads', 'MaxParts', 'PageSize', 'pageSize']);
const SECRET_FIELD = /secret|password|credential|sessiontoken|accesskey|ssecustomerkey/i;

/** JSON with sorted keys and the API's defaults removed; stable across equivalent calls. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value, true)) ?? 'null';
}

function normalise(value: unknown, top: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, false));
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    if (SECRET_FIELD.test(k)) continue;
    if (top && PAGE_SIZE_FIELDS.has(k)) continue;
    const v = normalise((value as Record<string, unknown>)[k], false);
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
    out[k] = v;
  }
  return out;
}

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

/** Key segments may not contain the separator; anything else is kept readable. */
function segment(s: string | undefined, fallback: string): string {
  const v = s && s.length > 0 ? s : fallback;
  return v.replace(/[:\s*?[\]{}]/g, '_');
}

/** The keys of every cached listing of `bucket`, in any profile, region or endpoint (see operationKey). */
export function bucketListingGlob(bucket: string): string {
  return `aws:*:*:s3:ListObjectsV2:${segment(bucket, 'bucket')}:*`;
}

export function operationKey(op: Operation): string {
  const params = canonicalJson(op.params);
  const hash = shortHash(op.scope.endpoint ? `${op.scope.endpoint}\n${params}` : params);
  // S3 keys name their bucket, so a write can invalidate just that bucket's listings.
  const bucket = op.service === 's3' && typeof op.params.Bucket === 'string' ? `${segment(op.params.Bucket, 'bucket')}:` : '';
  return `aws:${segment(op.scope.profile, 'default')}:${segment(op.scope.region, 'global')}:${segment(op.service, 'svc')}:${segment(op.name, 'op')}:${bucket}${hash}`;
}
