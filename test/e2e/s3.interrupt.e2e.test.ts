// Ctrl-C in the middle of a real `s3 get`: a 64 MiB object read at --max-bandwidth 5MB/s (≥ 12 s),
// so the SIGINT sent once bytes are landing in the temp file arrives mid-transfer. The process
// exits 130 and the folder is left empty: nothing under the final name, no temp file.

import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REGION, spawnStrata, startS3World, waitFor, type S3World } from '../helpers/s3-e2e.js';

const SIZE = 64 * 1024 * 1024;
let world: S3World;

beforeAll(async () => {
  world = await startS3World(['intr-bkt']);
  const client = new S3Client({ endpoint: world.endpoint, region: REGION, forcePathStyle: true });
  await client.send(new PutObjectCommand({ Bucket: 'intr-bkt', Key: 'huge.bin', Body: randomBytes(SIZE) }));
  client.destroy();
});
afterAll(async () => {
  await world?.close();
});

/** Bytes in the download's temp file (`.<name>.strata-<hex>.part`), 0 while there is none. */
function tempBytes(dir: string): number {
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.part')) continue;
    try {
      return statSync(join(dir, f)).size;
    } catch {
      return 0;
    }
  }
  return 0;
}

describe('SIGINT during s3 get', () => {
  it('exits 130 and leaves neither the file nor a temp file', async () => {
    const dest = world.workdir('sigint-get');
    const run = spawnStrata(world, ['s3', 'get', 's3://intr-bkt/huge.bin', join(dest, 'huge.bin'), '--max-bandwidth', '5MB/s']);
    await waitFor(() => tempBytes(dest) > 0 || run.child.exitCode !== null, 'the first downloaded bytes in the temp file');
    expect(run.child.exitCode, run.stderr()).toBeNull();
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(readdirSync(dest)).toEqual([]);
  });
});
