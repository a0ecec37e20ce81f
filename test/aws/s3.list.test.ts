import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { listBuckets, listObjects } from '../../src/aws/s3/list.js';
import { diskUsage, prefixGroup } from '../../src/aws/s3/du.js';
import { parseObjectUrl, parseS3Url } from '../../src/aws/s3/url.js';
import { closeClients, s3Client } from '../../src/aws/clients.js';
import type { Rec } from '../../src/cli/types.js';
import { startS3, type S3Fixture } from './s3server.js';

let s3: S3Fixture;
// s3rver reports a common prefix only when an object sits right below it, so logs/ has one.
const KEYS = ['a.txt', 'logs/2024/01.log', 'logs/2024/02.log', 'logs/2025/01.log', 'logs/index.txt', 'media/x.png', 'z.bin'];
// Loose objects between folders at two levels, for `du --by prefix`; 1 byte each.
const MIXED = ['a.txt', 'logs/2024/01.log', 'logs/index.txt', 'logs/z/x.log', 'logs/zz.txt', 'media/y.png', 'z.bin'];

async function collect(it: AsyncIterable<Rec>): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of it) out.push(r);
  return out;
}

beforeAll(async () => {
  s3 = await startS3(['data', 'empty', 'mixed']);
  const client = await s3Client({ profile: 'default', region: 'us-east-1', endpoint: s3.endpoint });
  for (const [i, Key] of KEYS.entries()) {
    await client.send(new PutObjectCommand({ Bucket: 'data', Key, Body: 'x'.repeat(10 * (i + 1)) }));
  }
  for (const Key of MIXED) await client.send(new PutObjectCommand({ Bucket: 'mixed', Key, Body: 'x' }));
});
afterAll(async () => {
  closeClients();
  await s3.close();
});

describe('s3 urls', () => {
  it('reads bucket and key, and rejects what is not an s3 URL as a usage error', () => {
    expect(parseS3Url('s3://data/logs/')).toEqual({ bucket: 'data', key: 'logs/' });
    expect(parseS3Url('s3://data')).toEqual({ bucket: 'data', key: '' });
    for (const bad of ['http://data/x', 's3://', 's3://Bad_Bucket/x', 'data/x']) {
      expect(() => parseS3Url(bad)).toThrow(expect.objectContaining({ code: 'BAD_S3_URL', kind: 'usage' }));
    }
    expect(() => parseObjectUrl('s3://data/logs/')).toThrow(expect.objectContaining({ kind: 'usage' }));
  });
});

describe('s3 listings', () => {
  it('lists buckets', async () => {
    const names = (await collect(listBuckets(s3.rt()))).map((b) => b.Name);
    expect(names).toEqual(['data', 'empty', 'mixed']);
  });

  it('lists one level: prefixes as Type prefix, objects as Type object', async () => {
    const recs = await collect(listObjects(s3.rt(), { bucket: 'data', key: '' }));
    expect(recs.filter((r) => r.Type === 'prefix')).toEqual([
      { Type: 'prefix', Prefix: 'logs/', Bucket: 'data' },
      { Type: 'prefix', Prefix: 'media/', Bucket: 'data' },
    ]);
    const objects = recs.filter((r) => r.Type === 'object');
    expect(objects.map((o) => o.Key)).toEqual(['a.txt', 'z.bin']);
    expect(objects[0]).toMatchObject({ Size: 10, Bucket: 'data', StorageClass: 'STANDARD' });
    expect(typeof objects[0].LastModified).toBe('string');
    expect(objects[0].ETag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('lists every key with --recursive, page by page', async () => {
    const recs = await collect(listObjects(s3.rt(), { bucket: 'data', key: 'logs/' }, { recursive: true, paging: { pageSize: 2 } }));
    expect(recs.map((r) => r.Key)).toEqual(['logs/2024/01.log', 'logs/2024/02.log', 'logs/2025/01.log', 'logs/index.txt']);
  });

  it('says clearly when the bucket does not exist', async () => {
    await expect(collect(listObjects(s3.rt({ cacheMode: 'no-cache' }), { bucket: 'nope-bucket', key: '' }))).rejects.toMatchObject({ code: 'NO_SUCH_BUCKET', kind: 'runtime' });
  });
});

describe('s3 du', () => {
  it('totals objects and bytes', async () => {
    const recs = await collect(diskUsage(listObjects(s3.rt(), { bucket: 'data', key: '' }, { recursive: true }), '', { by: 'total' }));
    expect(recs).toEqual([{ Prefix: '', Objects: 7, Bytes: 280 }]);
  });

  it('groups by prefix at a depth, as each group ends', async () => {
    const recs = await collect(diskUsage(listObjects(s3.rt(), { bucket: 'data', key: 'logs/' }, { recursive: true }), 'logs/', { by: 'prefix', depth: 1 }));
    expect(recs).toEqual([
      { Prefix: 'logs/2024/', Objects: 2, Bytes: 50 },
      { Prefix: 'logs/2025/', Objects: 1, Bytes: 40 },
      { Prefix: 'logs/', Objects: 1, Bytes: 50 },
    ]);
    expect(prefixGroup('top.txt', '', 1)).toBe('');
    expect(prefixGroup('a/b/c/d', 'a/', 2)).toBe('a/b/c/');
  });

  it('prints each prefix once when loose objects sit between folders', async () => {
    const du = (depth: number) => collect(diskUsage(listObjects(s3.rt(), { bucket: 'mixed', key: '' }, { recursive: true }), '', { by: 'prefix', depth }));
    expect(await du(1)).toEqual([
      { Prefix: 'logs/', Objects: 4, Bytes: 4 },
      { Prefix: 'media/', Objects: 1, Bytes: 1 },
      { Prefix: '', Objects: 2, Bytes: 2 },
    ]);
    expect(await du(2)).toEqual([
      { Prefix: 'logs/2024/', Objects: 1, Bytes: 1 },
      { Prefix: 'logs/z/', Objects: 1, Bytes: 1 },
      { Prefix: 'logs/', Objects: 2, Bytes: 2 },
      { Prefix: 'media/', Objects: 1, Bytes: 1 },
      { Prefix: '', Objects: 2, Bytes: 2 },
    ]);
  });

  it('groups by storage class', async () => {
    const listed = await collect(diskUsage(listObjects(s3.rt(), { bucket: 'data', key: '' }, { recursive: true }), '', { by: 'storage-class' }));
    expect(listed).toEqual([{ Prefix: '', StorageClass: 'STANDARD', Objects: 7, Bytes: 280 }]);
    // s3rver keeps no storage class, so mixed classes are checked on records
    async function* objects() {
      yield { Key: 'a', Size: 5, StorageClass: 'GLACIER' };
      yield { Key: 'b', Size: 7, StorageClass: 'STANDARD' };
      yield { Key: 'c', Size: 1, StorageClass: 'GLACIER' };
    }
    expect(await collect(diskUsage(objects(), 'p/', { by: 'storage-class' }))).toEqual([
      { Prefix: 'p/', StorageClass: 'GLACIER', Objects: 2, Bytes: 6 },
      { Prefix: 'p/', StorageClass: 'STANDARD', Objects: 1, Bytes: 7 },
    ]);
  });

  it('an empty prefix totals to zero', async () => {
    expect(await collect(diskUsage(listObjects(s3.rt(), { bucket: 'empty', key: '' }, { recursive: true }), '', { by: 'total' }))).toEqual([{ Prefix: '', Objects: 0, Bytes: 0 }]);
  });
});
