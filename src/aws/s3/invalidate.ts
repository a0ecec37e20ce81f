// Writes make listings stale. S3 keys name their bucket
// (`aws:<profile>:<region>:s3:ListObjectsV2:<bucket>:<hash>`), so a write drops the listings of
// the bucket it wrote to, in every profile, region and endpoint (several may name the same
// bucket): a listing costs one request to rebuild, a stale one costs a wrong answer.

import { bucketListingGlob } from '../../engine/key.js';
import type { AwsRuntime } from '../runtime.js';

/** Drops the cached listings of `bucket` a write may have made stale; returns how many went. */
export async function invalidateListings(rt: AwsRuntime, bucket: string): Promise<number> {
  const engine = await rt.engine();
  return engine.invalidate(bucketListingGlob(bucket));
}
