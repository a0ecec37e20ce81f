import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { listObjects } from '../../src/aws/s3/list.js';
import { removeObjects } from '../../src/aws/s3/rm.js';
import { closeClients, s3Client } from '../../src/aws/clients.js';
import type { Rec } from '../../src/cli/types.js';
import { startS3, type S3Fixture } from './s3server.js';

let s3: S3Fixture;

async function collect(it: AsyncIterable<Rec>): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of it) out.push(r);
  return out;
}

async function put(keys: string[]): Promise<void> {
  const client = await s3Client({ profile: 'default', region: 'us-east-1', endpoint: s3.endpoint });
  for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: 'data', Key, Body: Key }));
}

const keysOf = async (prefix: string) => (await collect(listObjects(s3.rt({ cacheMode: 'no-cache' }), { bucket: 'data', key: prefix }, { recursive: true }))).map((r) => r.Key).sort();

beforeAll(async () => {
  s3 = await startS3(['data']);
});
afterAll(async () => {
  closeClients();
  await s3.close();
});

describe('s3 rm', () => {
  it('deletes one object and leaves its neighbours', async () => {
    await put(['one/a.txt', 'one/b.txt']);
    const recs = await collect(removeObjects(s3.rt(), { bucket: 'data', key: 'one/a.txt' }));
    expect(recs).toEqual([{ Bucket: 'data', Key: 'one/a.txt', Deleted: true }]);
    expect(await keysOf('one/')).toEqual(['one/b.txt']);
  });

  it('with --recursive deletes every key under the prefix, in batches of at most 1,000', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    await put([...keys, 'keep/x']);
    const recs = await collect(removeObjects(s3.rt(), { bucket: 'data', key: 'many/' }, { recursive: true }));
    expect(recs.length).toBe(1005);
    expect(recs.every((r) => r.Deleted === true)).toBe(true);
    expect(await keysOf('many/')).toEqual([]);
    expect(await keysOf('keep/')).toEqual(['keep/x']);
  }, 60_000);

  it('lists fresh, not from the cache, and invalidates the cached listing afterwards', async () => {
    await put(['fresh/1']);
    const rt = s3.rt();
    await collect(listObjects(rt, { bucket: 'data', key: 'fresh/' }, { recursive: true })); // cached: [fresh/1]
    await put(['fresh/2']); // not in the cached listing
    const recs = await collect(removeObjects(rt, { bucket: 'data', key: 'fresh/' }, { recursive: true }));
    expect(recs.map((r) => r.Key).sort()).toEqual(['fresh/1', 'fresh/2']);
    expect(await collect(listObjects(rt, { bucket: 'data', key: 'fresh/' }, { recursive: true }))).toEqual([]);
  });

  it('with --dry-run names what it would delete and deletes nothing', async () => {
    await put(['dry/1', 'dry/2']);
    const recs = await collect(removeObjects(s3.rt(), { bucket: 'data', key: 'dry/' }, { recursive: true, dryRun: true }));
    expect(recs).toEqual([{ Bucket: 'data', Key: 'dry/1', Deleted: false }, { Bucket: 'data', Key: 'dry/2', Deleted: false }]);
    expect(await keysOf('dry/')).toEqual(['dry/1', 'dry/2']);
  });

  it('refuses a prefix without --recursive, and a missing bucket clearly', async () => {
    await expect(collect(removeObjects(s3.rt(), { bucket: 'data', key: 'dry/' }))).rejects.toMatchObject({ code: 'RM_NEEDS_KEY', kind: 'usage' });
    await expect(collect(removeObjects(s3.rt(), { bucket: 'no-such-bucket', key: 'x/' }, { recursive: true }))).rejects.toMatchObject({ code: 'NO_SUCH_BUCKET' });
  });
});
