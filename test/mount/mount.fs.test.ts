// Real mounts against s3rver: the filesystem operations seen through shell commands.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, rm, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client, PutObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { sh, startMount, startS3rver, tempDir, type MountProcess } from './harness.js';

const BUCKET = 'fsbucket';
let s3: Awaited<ReturnType<typeof startS3rver>>;
let client: S3Client;
let work: string;
let mnt: string;
let mount: MountProcess;

async function put(key: string, body: string | Buffer) {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}
async function get(key: string): Promise<Buffer | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch {
    return undefined;
  }
}
async function exists(key: string): Promise<boolean> {
  return client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(() => true, () => false);
}

beforeAll(async () => {
  s3 = await startS3rver(BUCKET);
  client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await put('hello.txt', 'hello world\n');
  await put('docs/a.md', '# a\n');
  await put('docs/deep/b.md', '# b\n');
  await put('other/c.txt', 'c\n');
  work = await tempDir('mount-fs');
  mnt = join(work, 'mnt');
  await mkdir(mnt);
  mount = await startMount({ endpoint: s3.endpoint, bucket: BUCKET, mountpoint: mnt, cacheDir: join(work, 'cache') });
});

afterAll(async () => {
  if (mount && mount.child.exitCode === null) {
    mount.child.kill('SIGTERM');
    await mount.exited;
  }
  await s3?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a mounted bucket', () => {
  it('lists prefixes as directories, recursively', async () => {
    const r = await sh(`cd ${mnt} && ls -R`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hello.txt');
    expect(r.stdout).toContain('./docs:');
    expect(r.stdout).toContain('./docs/deep:');
    expect(r.stdout).toContain('b.md');
    const st = await sh(`stat -c '%F %s' ${mnt}/docs ${mnt}/hello.txt`);
    expect(st.stdout.trim().split('\n')).toEqual(['directory 4096', 'regular file 12']);
  });

  it('cat returns the object content', async () => {
    const r = await sh(`cat ${mnt}/hello.txt ${mnt}/docs/deep/b.md`);
    expect(r.stdout).toBe('hello world\n# b\n');
  });

  it('a missing path is ENOENT', async () => {
    const r = await sh(`cat ${mnt}/nope.txt`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('No such file or directory');
  });

  it('a written file becomes an object on close', async () => {
    const r = await sh(`printf 'new content' > ${mnt}/docs/new.txt && cat ${mnt}/docs/new.txt`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('new content');
    expect((await get('docs/new.txt'))?.toString()).toBe('new content');
  });

  it('appending to an existing object keeps its content', async () => {
    const r = await sh(`printf 'more\\n' >> ${mnt}/hello.txt`);
    expect(r.code).toBe(0);
    expect((await get('hello.txt'))?.toString()).toBe('hello world\nmore\n');
  });

  it('rename moves a file (copy + delete)', async () => {
    await put('mv/src.txt', 'move me');
    const r = await sh(`mv ${mnt}/mv/src.txt ${mnt}/mv/dst.txt && ls ${mnt}/mv`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('dst.txt');
    expect(await exists('mv/src.txt')).toBe(false);
    expect((await get('mv/dst.txt'))?.toString()).toBe('move me');
  });

  it('rename moves a small directory with everything under it', async () => {
    await put('tree/x/1.txt', 'one');
    await put('tree/x/sub/2.txt', 'two');
    const r = await sh(`mv ${mnt}/tree/x ${mnt}/tree/y && cd ${mnt}/tree && find . -type f | sort`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['./y/1.txt', './y/sub/2.txt']);
    expect(await exists('tree/x/1.txt')).toBe(false);
    expect((await get('tree/y/sub/2.txt'))?.toString()).toBe('two');
  });

  it('unlink deletes the object', async () => {
    await put('gone.txt', 'bye');
    const r = await sh(`rm ${mnt}/gone.txt && ls ${mnt}`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('gone.txt');
    expect(await exists('gone.txt')).toBe(false);
  });

  it('mkdir makes a prefix marker and rmdir removes it; a non-empty directory is refused', async () => {
    expect((await sh(`mkdir ${mnt}/emptydir && stat -c %F ${mnt}/emptydir`)).stdout.trim()).toBe('directory');
    expect(await exists('emptydir/')).toBe(true);
    expect((await sh(`rmdir ${mnt}/docs`)).stderr).toContain('not empty');
    expect((await sh(`rmdir ${mnt}/emptydir`)).code).toBe(0);
    expect(await exists('emptydir/')).toBe(false);
  });

  it('truncate shortens the object', async () => {
    await put('trunc.txt', '0123456789');
    expect((await sh(`truncate -s 4 ${mnt}/trunc.txt`)).code).toBe(0);
    expect((await get('trunc.txt'))?.toString()).toBe('0123');
  });

  it('exposes its figures in a read-only /.strata-stats.json', async () => {
    const r = await sh(`cat ${mnt}/.strata-stats.json`);
    const stats = JSON.parse(r.stdout);
    expect(stats.kind).toBe('mount');
    expect(stats.bytes.read).toBeGreaterThan(0);
    expect(stats.requests.GetObject.count).toBeGreaterThan(0);
    expect(typeof stats.requests.GetObject.p99Ms).toBe('number');
    expect((await sh(`echo x > ${mnt}/.strata-stats.json`)).code).not.toBe(0);
  });

  it('publishes the live figures for perf dashboard', async () => {
    const live = await readdir(join(work, 'cache', 'live'));
    expect(live).toContain(`${mount.child.pid}.json`);
  });
});
