// Metadata through the engine, against s3rver: what the mount learns (listings, HEADs) is an engine
// entry under the bucket's S3 keys, shared with every strata command, and a write through the
// mount drops the entries it made stale.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { createEngine } from '../../src/engine/index.js';
import { defaultConfig } from '../../src/config/schema.js';
import { sh, startMount, startS3rver, tempDir, type MountProcess } from './harness.js';

const BUCKET = 'enginebucket';
let s3: Awaited<ReturnType<typeof startS3rver>>;
let work: string;
let mnt: string;
let cacheDir: string;
let m: MountProcess | undefined;

/** The keys and records of the engine entries matching `glob`, as a fresh process sees them. */
async function entries(glob: string): Promise<Array<{ key: string; records: Array<Record<string, unknown>> }>> {
  const config = defaultConfig({}, cacheDir);
  config.cache.dir = cacheDir;
  const engine = createEngine({ config, warn: () => undefined });
  const out: Array<{ key: string; records: Array<Record<string, unknown>> }> = [];
  for await (const e of engine.peek(glob)) {
    const records: Array<Record<string, unknown>> = [];
    for await (const r of e.records()) records.push(r);
    out.push({ key: e.key, records });
  }
  await engine.close();
  return out;
}

beforeAll(async () => {
  s3 = await startS3rver(BUCKET);
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'docs/a.txt', Body: 'a' }));
  client.destroy();
  work = await tempDir('mount-engine');
  mnt = join(work, 'mnt');
  cacheDir = join(work, 'cache');
  await mkdir(mnt);
  m = await startMount({ endpoint: s3.endpoint, bucket: BUCKET, mountpoint: mnt, cacheDir, metadataTtlMs: 60_000 });
});

afterAll(async () => {
  if (m && m.child.exitCode === null) {
    m.child.kill('SIGTERM');
    await m.exited;
  }
  await sh(`fusermount -u -z ${mnt} 2>/dev/null`);
  await s3?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('mount metadata through the engine', () => {
  it('listings and HEADs are engine entries named after the bucket, in the shape `s3 ls` uses', async () => {
    expect((await sh(`ls ${mnt}/docs`)).stdout.trim()).toBe('a.txt');
    await sh(`stat ${mnt}/nothing-here.txt`);
    const lists = await entries(`aws:*:*:s3:ListObjectsV2:${BUCKET}:*`);
    const docs = lists.find((e) => e.records.some((r) => r.Key === 'docs/a.txt'));
    expect(docs?.records).toEqual([expect.objectContaining({ Type: 'object', Key: 'docs/a.txt', Size: 1, Bucket: BUCKET })]);
    const heads = await entries(`aws:*:*:s3:HeadObject:${BUCKET}:*`);
    expect(heads.flatMap((e) => e.records)).toContainEqual({ Type: 'missing', Key: 'nothing-here.txt', Bucket: BUCKET });
  }, 30_000);

  it('a write through the mount drops the listing it made stale', async () => {
    await sh(`ls ${mnt}/docs`);
    const before = (await entries(`aws:*:*:s3:ListObjectsV2:${BUCKET}:*`)).find((e) => e.records.some((r) => r.Key === 'docs/a.txt'));
    expect(before).toBeDefined();
    await sh(`printf b > ${mnt}/docs/b.txt`);
    const after = (await entries(`aws:*:*:s3:ListObjectsV2:${BUCKET}:*`)).filter((e) => e.key === before!.key);
    // gone, or rebuilt since, with the new file in it: never the stale one
    for (const e of after) expect(e.records.map((r) => r.Key)).toContain('docs/b.txt');
    expect((await sh(`ls ${mnt}/docs`)).stdout.split('\n').filter(Boolean)).toEqual(['a.txt', 'b.txt']);
  }, 30_000);
});
