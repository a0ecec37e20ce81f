// A reader that goes away (`| head -1`) stops strata as SIGTERM would, so work in flight still
// cleans up: a `cp --recursive` cut short by a broken pipe still drops the listings it made stale.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REGION, STRATA_BIN, useS3World } from '../helpers/s3-e2e.js';

const exec = promisify(execFile);

// s3rver runs in this process: the shell pipeline is awaited, never run synchronously
async function sh(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec('bash', ['-c', script], { env: world.env, encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
const strata = (args: string) => `node ${STRATA_BIN} --endpoint-url ${world.endpoint} --region ${REGION} ${args}`;

const world = useS3World(['pipe']);

describe('a broken pipe', () => {
  it('stops cp --recursive cleanly: the cached listing it made stale is dropped', async () => {
    const src = join(world.dir, 'src');
    mkdirSync(src);
    for (let i = 0; i < 300; i++) writeFileSync(join(src, `f${String(i).padStart(3, '0')}`), `file ${i}`);
    const before = await sh(strata('s3 ls s3://pipe/p/ -o ndjson'));
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toBe(''); // cached: an empty listing

    const cut = await sh(`set -o pipefail; ${strata(`s3 cp --recursive --concurrency 4 ${src} s3://pipe/p/ -o ndjson`)} | head -1`);
    expect(cut.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(cut.stderr).toBe('');
    expect(cut.code).toBe(1); // the copy was cut short: not a success

    const after = await sh(strata('s3 ls s3://pipe/p/ -o ndjson'));
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(1);
  });
});
