// Ctrl-C in the middle of a real `s3 get`: a 64 MiB object read at --max-bandwidth 5MB/s (≥ 12 s),
// so the SIGINT sent once bytes are landing in the temp file arrives mid-transfer. The process
// exits 130 and the folder is left empty: nothing under the final name, no temp file.

import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnStrata, useS3World, waitFor } from '../helpers/s3-e2e.js';

const SIZE = 64 * 1024 * 1024;

const world = useS3World(['intr-bkt'], [{ bucket: 'intr-bkt', key: 'huge.bin', body: randomBytes(SIZE) }]);

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
