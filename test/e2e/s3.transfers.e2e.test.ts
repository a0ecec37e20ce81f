// The real `bin/strata` process moves bytes to and from s3rver: put (multipart) and get (ranged)
// round-trip byte for byte and leave no temp file, cp --recursive copies a tree both ways, du counts
// it, and rm deletes an object and invalidates the cached listing that still showed it.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REGION, records, useS3World, strata, strayFiles } from '../helpers/s3-e2e.js';

const MiB = 1024 * 1024;

const world = useS3World(['e2e-bkt']);

describe('s3 put and s3 get as real processes', () => {
  it('round-trip a multipart-sized file byte for byte, leaving only the final file', async () => {
    const work = world.workdir('roundtrip');
    const data = randomBytes(10 * MiB + 4321); // > one 8 MiB part: multipart up, two ranges down
    writeFileSync(join(work, 'src.bin'), data);

    const put = await strata(world, ['s3', 'put', join(work, 'src.bin'), 's3://e2e-bkt/rt/data.bin', '-o', 'ndjson']);
    expect(put.code, put.stderr).toBe(0);
    expect(records(put.stdout)).toEqual([expect.objectContaining({ Destination: 's3://e2e-bkt/rt/data.bin', Bytes: data.length })]);

    const down = world.workdir('down');
    const get = await strata(world, ['s3', 'get', 's3://e2e-bkt/rt/data.bin', join(down, 'data.bin'), '-o', 'ndjson']);
    expect(get.code, get.stderr).toBe(0);
    expect(records(get.stdout)).toEqual([expect.objectContaining({ Source: 's3://e2e-bkt/rt/data.bin', Bytes: data.length })]);
    expect(readFileSync(join(down, 'data.bin')).equals(data)).toBe(true);
    expect(strayFiles(down, ['data.bin'])).toEqual([]);
  });
});

describe('s3 cp --recursive and s3 du as real processes', () => {
  it('copies a tree up and back down with equal contents, and du counts it', async () => {
    const tree = world.workdir('tree');
    const files: Record<string, Buffer> = {
      'a.txt': Buffer.from('alpha\n'),
      'sub/b.bin': randomBytes(70_000),
      'sub/deeper/c.txt': Buffer.from('gamma gamma\n'),
      'z.bin': randomBytes(1234),
    };
    mkdirSync(join(tree, 'sub', 'deeper'), { recursive: true });
    for (const [p, body] of Object.entries(files)) writeFileSync(join(tree, p), body);

    const up = await strata(world, ['s3', 'cp', tree, 's3://e2e-bkt/tree/', '--recursive', '-o', 'ndjson']);
    expect(up.code, up.stderr).toBe(0);
    expect(records(up.stdout).map((r) => r.Destination).sort()).toEqual(Object.keys(files).map((p) => `s3://e2e-bkt/tree/${p}`).sort());

    const du = await strata(world, ['s3', 'du', 's3://e2e-bkt/tree/', '-o', 'ndjson']);
    expect(du.code, du.stderr).toBe(0);
    const bytes = Object.values(files).reduce((n, b) => n + b.length, 0);
    expect(records(du.stdout)).toEqual([expect.objectContaining({ Objects: 4, Bytes: bytes })]);

    const back = join(world.workdir('back'), 'copy');
    const down = await strata(world, ['s3', 'cp', 's3://e2e-bkt/tree/', back, '--recursive', '-o', 'ndjson']);
    expect(down.code, down.stderr).toBe(0);
    expect(records(down.stdout)).toHaveLength(4);
    for (const [p, body] of Object.entries(files)) expect(readFileSync(join(back, p)).equals(body), p).toBe(true);
    expect(strayFiles(back).sort()).toEqual(['a.txt', 'sub', 'z.bin']);
    expect(strayFiles(join(back, 'sub')).sort()).toEqual(['b.bin', 'deeper']);
  });
});

describe('s3 rm as a real process', () => {
  it('deletes the object and invalidates the cached listing that still showed it', async () => {
    const work = world.workdir('rm');
    writeFileSync(join(work, 'keep.txt'), 'keep');
    writeFileSync(join(work, 'gone.txt'), 'gone');
    for (const f of ['keep.txt', 'gone.txt']) {
      const put = await strata(world, ['s3', 'put', join(work, f), `s3://e2e-bkt/rm/${f}`]);
      expect(put.code, put.stderr).toBe(0);
    }
    const keys = async () => {
      const ls = await strata(world, ['s3', 'ls', 's3://e2e-bkt/rm/', '-o', 'ndjson']);
      expect(ls.code, ls.stderr).toBe(0);
      return records(ls.stdout).map((r) => r.Key).sort();
    };
    expect(await keys()).toEqual(['rm/gone.txt', 'rm/keep.txt']);

    // the listing is cached: an object written behind strata's back does not show up yet
    const direct = new S3Client({ endpoint: world.endpoint, region: REGION, forcePathStyle: true });
    await direct.send(new PutObjectCommand({ Bucket: 'e2e-bkt', Key: 'rm/behind.txt', Body: 'x' }));
    direct.destroy();
    expect(await keys()).toEqual(['rm/gone.txt', 'rm/keep.txt']);

    const rm = await strata(world, ['s3', 'rm', 's3://e2e-bkt/rm/gone.txt', '-o', 'ndjson']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(records(rm.stdout)).toEqual([{ Bucket: 'e2e-bkt', Key: 'rm/gone.txt', Deleted: true }]);
    // refreshed, not just filtered: the object written behind strata's back now appears too
    expect(await keys()).toEqual(['rm/behind.txt', 'rm/keep.txt']);
  });
});
