// s3:// URLs as users type them: `s3://bucket`, `s3://bucket/`, `s3://bucket/prefix/`, `s3://bucket/key`.

import { usageError } from '../../errors.js';

export interface S3Location {
  bucket: string;
  /** '' for the bucket itself. */
  key: string;
}

/** Bucket names: 3–63 characters of lower-case letters, digits, dots and hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Url(text: string): boolean {
  return /^s3:\/\//i.test(text);
}

export function parseS3Url(text: string, what = 'S3 URL'): S3Location {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(text);
  if (!m) throw usageError('BAD_S3_URL', `invalid ${what} '${text}'`, 'write it as s3://bucket/key or s3://bucket/prefix/');
  const bucket = m[1];
  if (!BUCKET.test(bucket)) {
    throw usageError('BAD_S3_URL', `invalid bucket name '${bucket}' in '${text}'`, 'bucket names have 3-63 lower-case letters, digits, dots or hyphens');
  }
  return { bucket, key: m[2] ?? '' };
}

/** Like parseS3Url, but the URL must name an object. */
export function parseObjectUrl(text: string): S3Location {
  const loc = parseS3Url(text, 'S3 object URL');
  if (!loc.key || loc.key.endsWith('/')) throw usageError('BAD_S3_URL', `'${text}' names a prefix, not an object`, 'give the full key, e.g. s3://bucket/path/file.txt');
  return loc;
}

export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
