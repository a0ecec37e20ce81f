// A reader that goes away (`| head -1`) stops strata as SIGTERM would, so work in flight still
// cleans up: a `cp --recursive` cut short by a broken pipe still drops the listings it made stale.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/strata.js');
const dir = mkdtempSync(join(tmpdir(), 'strata-epipe-'));
const exec = promisify(execFile);
let server: InstanceType<typeof S3rver>;
let env: NodeJS.ProcessEnv;

// s3rver runs in this process: children are awaited, never run synchronously
async function sh(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec('bash', ['-c', script], { env, encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: 'pipe' }] });
  const { port } = (await server.run()) as { port: number };
  env = {
    PATH: process.env.PATH,
    HOME: dir,
    STRATA_CACHE_DIR: join(dir, 'cache'),
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  };
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a broken pipe', () => {
  it('stops cp --recursive cleanly: the cached listing it made stale is dropped', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    for (let i = 0; i < 300; i++) writeFileSync(join(src, `f${String(i).padStart(3, '0')}`), `file ${i}`);
    const before = await sh(`node ${bin} s3 ls s3://pipe/p/ -o ndjson`);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toBe(''); // cached: an empty listing

    const cut = await sh(`node ${bin} s3 cp --recursive --concurrency 4 ${src} s3://pipe/p/ -o ndjson | head -1`);
    expect(cut.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(cut.stderr).toBe('');

    const after = await sh(`node ${bin} s3 ls s3://pipe/p/ -o ndjson`);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(1);
  });
});
