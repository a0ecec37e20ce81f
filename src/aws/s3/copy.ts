// s3 → s3 copies: CopyObject on the server side (no bytes through this machine).

import type { Rec } from '../../cli/types.js';
import { usageError } from '../../errors.js';
import { awsError } from '../errors.js';
import type { S3Location } from './url.js';
import { s3Url } from './url.js';
import { s3Wire, type TransferEnv } from './transfer.js';

/** CopyObject's limit; bigger objects need a multipart copy, which strata does not do. */
export const MAX_COPY_OBJECT = 5 * 1024 ** 3;

export async function copyObject(env: TransferEnv, src: S3Location, dst: S3Location, size?: number): Promise<Rec> {
  const from = s3Url(src.bucket, src.key);
  const to = s3Url(dst.bucket, dst.key);
  if (size !== undefined && size > MAX_COPY_OBJECT) {
    throw usageError('TOO_LARGE_TO_COPY', `${from} is larger than 5 GiB, the limit of a server-side copy`, 'copy it through this machine: s3 get, then s3 put');
  }
  const [{ CopyObjectCommand }, wire] = await Promise.all([import('@aws-sdk/client-s3'), s3Wire(env.rt)]);
  if (size !== undefined) env.progress.grow(size);
  const source = `${src.bucket}/${src.key.split('/').map(encodeURIComponent).join('/')}`;
  const out = await wire
    .run('CopyObject', (signal) => wire.client.send(new CopyObjectCommand({ Bucket: dst.bucket, Key: dst.key, CopySource: source }), { abortSignal: signal }))
    .catch((err) => {
      throw awsError(err, `${from} → ${to}`);
    });
  if (size !== undefined) env.progress.advance(size);
  return { Source: from, Destination: to, Bytes: size ?? null, ETag: out.CopyObjectResult?.ETag };
}
