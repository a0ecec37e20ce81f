// Real mounts against s3rver: unmount with pending writes, a busy mount, a crashed mount cleaned
// at the next mount, a failed upload kept and retried, a read-only mount.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { sh, startMount as start, startS3rver, tempDir, type MountProcess } from './harness.js';

const BUCKET = 'lifebucket';
let s3: Awaited<ReturnType<typeof startS3rver>>;
let client: S3Client;
let work: string;
let mnt: string;
let cacheDir: string;

async function get(key: string): Promise<string | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await out.Body!.transformToString();
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  s3 = await startS3rver(BUCKET);
  client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/existing.txt', Body: 'x' }));
  work = await tempDir('mount-life');
  mnt = join(work, 'mnt');
  cacheDir = join(work, 'cache');
  await mkdir(mnt);
});

const started: MountProcess[] = [];
async function startMount(o: Record<string, unknown>): Promise<MountProcess> {
  const m = await start(o);
  started.push(m);
  return m;
}

afterEach(async () => {
  for (const m of started.splice(0)) if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
  await sh(`fusermount -u -z ${mnt} 2>/dev/null`);
});

afterAll(async () => {
  await sh(`fusermount -u -z ${mnt} 2>/dev/null`);
  await s3?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A process that writes `text` to `path` and keeps the file open (no dup, so no flush) until killed. */
function holdOpen(path: string, text: string) {
  const js = `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(path)},'w');fs.writeSync(fd,${JSON.stringify(text)});setTimeout(()=>{},30000)`;
  return sh(`exec node -e "${js.replace(/"/g, '\\"')}"`, { timeoutMs: 30_000 });
}

const opts = () => ({ endpoint: s3.endpoint, bucket: BUCKET, mountpoint: mnt, cacheDir });

describe('mount lifecycle', () => {
  it('SIGTERM uploads a file still open for writing, reports the busy mount, then unmounts', async () => {
    const m = await startMount(opts());
    const holder = holdOpen(`${mnt}/pending.txt`, 'not yet closed');
    for (let i = 0; i < 100 && (await sh(`stat -c %s ${mnt}/pending.txt`)).stdout.trim() !== '14'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await get('pending.txt')).toBeUndefined();
    m.child.kill('SIGTERM');
    const { code, report } = await m.exited;
    expect(code).toBe(0);
    expect(await get('pending.txt')).toBe('not yet closed');
    expect(m.stderr()).toContain('mount busy');
    expect(report.busy.map((b: { command: string }) => b.command)).toContain('node');
    await sh(`pkill -KILL -f "${mnt}/pending.txt"`);
    await holder;
    const mounted = await sh(`grep -c " ${mnt} " /proc/self/mountinfo`);
    expect(mounted.stdout.trim()).toBe('0');
  }, 60_000);

  it('at SIGTERM a write that cannot reach S3 by the deadline is kept for the next mount, and every handle is released in order', async () => {
    const port = Number(new URL(s3.endpoint).port);
    const m = await startMount({ ...opts(), shutdownDeadlineMs: 3_000 });
    const holder = holdOpen(`${mnt}/late.txt`, 'after the deadline');
    for (let i = 0; i < 100 && (await sh(`stat -c %s ${mnt}/late.txt`)).stdout.trim() !== '18'; i++) await new Promise((r) => setTimeout(r, 50));
    await s3.stop();
    try {
      m.child.kill('SIGTERM');
      const { code, report } = await m.exited;
      expect(code).toBe(0);
      expect(report.failedUploads).toEqual(['late.txt']);
      expect(report.released).toEqual(['warming', 'write-behind', 'block cache flush', 'fuse mount', 'live publisher', 'S3 clients']);
      const pending = await readdir(join(cacheDir, 'mount-pending'));
      expect(pending.filter((n) => n.endsWith('.json'))).toHaveLength(1);
    } finally {
      await sh(`pkill -KILL -f "${mnt}/late.txt"`);
      await holder;
      await s3.restart(port);
    }
    const again = await startMount(opts());
    for (let i = 0; i < 200 && !/retried 1/.test(again.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await get('late.txt')).toBe('after the deadline');
    again.child.kill('SIGTERM');
    await again.exited;
  }, 60_000);

  it('a mount whose process crashed is detected (ENOTCONN) and cleaned by the next mount; uncommitted writes never become objects', async () => {
    const m = await startMount(opts());
    const writer = holdOpen(`${mnt}/crash.txt`, 'half');
    for (let i = 0; i < 100 && (await sh(`stat -c %s ${mnt}/crash.txt`)).stdout.trim() !== '4'; i++) await new Promise((r) => setTimeout(r, 50));
    m.child.kill('SIGKILL');
    await m.exited;
    await sh(`pkill -KILL -f "${mnt}/crash.txt"`);
    await writer;
    expect((await sh(`stat ${mnt}`)).stderr).toContain('Transport endpoint is not connected');

    const again = await startMount(opts());
    expect(again.stderr()).toContain('cleaned a stale mount');
    expect((await sh(`cat ${mnt}/dir/existing.txt`)).stdout).toBe('x');
    // The crashed writer never closed its file: no object, and its staging file is discarded.
    await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'crash.txt' })).then(
      () => expect.fail('crash.txt must not exist'),
      () => undefined,
    );
    for (let i = 0; i < 50 && (await readdir(join(cacheDir, 'mount-pending'))).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(join(cacheDir, 'mount-pending'))).toEqual([]);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 60_000);

  it('an upload that fails is EIO at close, kept on disk, and uploaded by the next mount', async () => {
    const port = Number(new URL(s3.endpoint).port);
    const m = await startMount(opts());
    expect((await sh(`ls ${mnt}/dir`)).stdout.trim()).toBe('existing.txt');
    await sh(`printf 'keep me' > ${work}/keep.txt`);
    await s3.stop();
    let kept: string[];
    try {
      // cp checks close(): the failed upload surfaces there (and at fsync with dd conv=fsync).
      const r = await sh(`cp ${work}/keep.txt ${mnt}/dir/failed.txt`);
      expect(r.code).not.toBe(0);
      expect(r.stderr, m.stderr()).toContain('Input/output error');
      expect(m.stderr()).toContain('kept in');
      const f = await sh(`printf x | dd of=${mnt}/dir/fsync.txt conv=fsync status=none`);
      expect(f.stderr).toContain('Input/output error');
      kept = await readdir(join(cacheDir, 'mount-pending'));
      m.child.kill('SIGTERM');
      await m.exited;
    } finally {
      await s3.restart(port);
    }
    expect(kept.filter((n) => n.endsWith('.json'))).toHaveLength(2);
    expect(kept.filter((n) => n.endsWith('.data'))).toHaveLength(2);

    const again = await startMount(opts());
    for (let i = 0; i < 200 && !/retried 2/.test(again.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await get('dir/failed.txt')).toBe('keep me');
    expect(await get('dir/fsync.txt')).toBe('x');
    expect(again.stderr()).toMatch(/retried 2 upload\(s\).*2 uploaded/);
    again.child.kill('SIGTERM');
    await again.exited;
  }, 60_000);

  it('--warm fetches matching files into the disk block cache in the background, with progress', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'warm/a.dat', Body: Buffer.alloc(300_000, 1) }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'warm/b.txt', Body: 'not matched' }));
    const m = await startMount({ ...opts(), warm: ['warm/*.dat'] });
    for (let i = 0; i < 100 && !m.stderr().includes('warmed 1/1'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(m.stderr()).toContain('warming 1 file(s)');
    expect(m.stderr()).toContain('warmed 1/1: warm/a.dat');
    const stats = JSON.parse((await sh(`cat ${mnt}/.strata-stats.json`)).stdout);
    expect(stats.warm).toMatchObject({ files: 1, done: 1, bytes: 300_000, running: false });
    expect(stats.blocks.l2.writes).toBeGreaterThanOrEqual(1);
    m.child.kill('SIGTERM');
    await m.exited;
  }, 30_000);

  it('a read-only mount refuses writes with EROFS', async () => {
    const m = await startMount({ ...opts(), readOnly: true });
    const r = await sh(`printf x > ${mnt}/ro.txt`);
    expect(r.stderr, m.stderr()).toContain('Read-only file system');
    expect((await sh(`cat ${mnt}/dir/existing.txt`)).stdout).toBe('x');
    m.child.kill('SIGINT');
    expect((await m.exited).code).toBe(0);
  }, 30_000);
});
