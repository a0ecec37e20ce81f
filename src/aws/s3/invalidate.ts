// Writes make listings stale. Listing keys are `aws:<profile>:<region>:s3:ListObjectsV2:<hash>`:
// the bucket is inside the hash, so no glob can pick one bucket's listings. The safe choice is to
// drop every S3 listing (of any profile, region and endpoint: several may name the same bucket);
// a listing costs one request to rebuild, a stale one costs a wrong answer.

import type { AwsRuntime } from '../runtime.js';

export const LISTING_GLOB = 'aws:*:*:s3:ListObjectsV2:*';

/** Drops the cached listings a write may have made stale; returns how many went. */
export async function invalidateListings(rt: AwsRuntime): Promise<number> {
  const engine = await rt.engine();
  return engine.invalidate(LISTING_GLOB);
}
