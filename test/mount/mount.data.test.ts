// Real mounts against s3rver: large files in and out, random reads, concurrent readers, and a
// writer killed half-way.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { sh, startMount, startS3rver, tempDir, type MountProcess } from './harness.js';

const BUCKET = 'databucket';
const MiB = 1024 * 1024;
let s3: Awaited<ReturnType<typeof startS3rver>>;
let client: S3Client;
let work: string;
let mnt: string;
let src: string;
let mount: MountProcess;

async function objectSha(key: string): Promise<string | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const h = createHash('sha256');
    for await (const chunk of out.Body as AsyncIterable<Buffer>) h.update(chunk);
    return h.digest('hex');
  } catch {
    return undefined;
  }
}

/** A deterministic pseudo-random sequence (mulberry32), so the offsets are the same every run. */
function offsets(seed: number, n: number, max: number): number[] {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * max);
  });
}

beforeAll(async () => {
  s3 = await startS3rver(BUCKET);
  client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  work = await tempDir('mount-data');
  mnt = join(work, 'mnt');
  src = join(work, 'src.bin');
  await mkdir(mnt);
  // Seeded, incompressible content: 128 MiB.
  await sh(`openssl enc -aes-128-ctr -pass pass:strata -nosalt -pbkdf2 -in /dev/zero 2>/dev/null | head -c ${128 * MiB} > ${src}`);
  mount = await startMount({ endpoint: s3.endpoint, bucket: BUCKET, mountpoint: mnt, cacheDir: join(work, 'cache') });
}, 120_000);

afterAll(async () => {
  if (mount && mount.child.exitCode === null) {
    mount.child.kill('SIGTERM');
    await mount.exited;
  }
  await s3?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('large files through the mount', () => {
  let srcSha: string;

  it('a 128 MiB file copied in lands in S3 intact (multipart) and copies back out equal', async () => {
    srcSha = (await sh(`sha256sum ${src}`)).stdout.split(' ')[0];
    const cpIn = await sh(`cp ${src} ${mnt}/big.bin`);
    expect(cpIn.code, cpIn.stderr + mount.stderr()).toBe(0);
    expect(await objectSha('big.bin')).toBe(srcSha);
    const cpOut = await sh(`cp ${mnt}/big.bin ${work}/out.bin && sha256sum ${work}/out.bin`);
    expect(cpOut.code, cpOut.stderr).toBe(0);
    expect(cpOut.stdout.split(' ')[0]).toBe(srcSha);
    // That copy out was one sequential reader: read-ahead was on and what it fetched was read.
    const stats = JSON.parse((await sh(`cat ${mnt}/.strata-stats.json`)).stdout);
    expect(stats.prefetch.bytesPrefetched).toBeGreaterThan(64 * MiB);
    expect(stats.prefetch.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(stats.bytes.uploaded).toBeGreaterThanOrEqual(128 * MiB);
  }, 180_000);

  it('reads at random offsets return the same bytes as the source', async () => {
    const script = offsets(42, 24, 128 * MiB - 70_000)
      .map((off, i) => {
        const len = 1 + ((off * 7) % 65_536);
        const dd = (f: string) => `dd if=${f} iflag=skip_bytes,count_bytes skip=${off} count=${len} status=none | sha256sum`;
        return `a=$(${dd(`${mnt}/big.bin`)}); b=$(${dd(src)}); [ "$a" = "$b" ] || echo "mismatch ${i} at ${off}"`;
      })
      .join('\n');
    const r = await sh(script);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
  }, 60_000);

  it('concurrent readers all see the same content', async () => {
    const r = await sh(`for i in 1 2 3 4; do sha256sum < ${mnt}/big.bin & done; wait`);
    const sums = r.stdout.trim().split('\n').map((l) => l.split(' ')[0]);
    expect(sums).toEqual([srcSha, srcSha, srcSha, srcSha]);
  }, 120_000);

  it('a writer killed half-way never leaves a corrupt object: it is absent or an exact prefix', async () => {
    // The writer writes 24 MiB, then hangs with the file open; it is killed with SIGKILL.
    const writer = sh(`exec 3>${mnt}/killed.bin; head -c ${24 * MiB} ${src} >&3; sleep 60`, { timeoutMs: 60_000 });
    for (let i = 0; i < 200; i++) {
      const size = Number((await sh(`stat -c %s ${mnt}/killed.bin 2>/dev/null`)).stdout.trim() || 0);
      if (size === 24 * MiB) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await sh(`pkill -KILL -f "exec 3>${mnt}/killed.bin"`);
    await writer;
    let sha: string | undefined;
    for (let i = 0; i < 50; i++) {
      sha = await objectSha('killed.bin');
      if (sha) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const prefixSha = (await sh(`head -c ${24 * MiB} ${src} | sha256sum`)).stdout.split(' ')[0];
    // Closing the killed writer's file commits what it wrote: the 24 MiB prefix, never a mix.
    expect(sha).toBe(prefixSha);
    const pending = await readdir(join(work, 'cache', 'mount-pending')).catch(() => []);
    expect(pending).toEqual([]);
  }, 60_000);
});
