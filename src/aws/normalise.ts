// Records for shells: the API's own field names, plus `Tags` as an object, `Name` from the Name
// tag and `Region`. Dates become ISO strings here, so a record looks the same whether it came
// from the wire or from the cache (which stores JSON).

import type { Rec } from '../cli/types.js';

interface TagPair {
  Key?: string;
  Value?: string;
}

export function tagsObject(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(tags)) return out;
  for (const t of tags as TagPair[]) if (t && typeof t.Key === 'string') out[t.Key] = t.Value ?? '';
  return out;
}

/** Deep copy with Dates as ISO strings and undefined fields dropped. */
export function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object') return value;
  const out: Rec = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
  return out;
}

/** An EC2 resource as a record: Name first (for tables), Tags as an object, Region added. */
export function ec2Record(item: Rec, region: string): Rec {
  const body = plain(item) as Rec;
  const tags = tagsObject(item.Tags);
  const rec: Rec = {};
  if (tags.Name !== undefined) rec.Name = tags.Name;
  Object.assign(rec, body);
  rec.Tags = tags;
  rec.Region = region;
  return rec;
}

export function s3ObjectRecord(item: Rec, bucket: string): Rec {
  return {
    Type: 'object',
    Key: item.Key,
    Size: item.Size ?? 0,
    LastModified: item.LastModified instanceof Date ? item.LastModified.toISOString() : item.LastModified,
    ETag: item.ETag,
    StorageClass: item.StorageClass ?? 'STANDARD',
    Bucket: bucket,
  };
}

export function s3PrefixRecord(item: Rec, bucket: string): Rec {
  return { Type: 'prefix', Prefix: item.Prefix, Bucket: bucket };
}
