import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { closeClients, s3Client } from '../../src/aws/clients.js';
import { downloadObject } from '../../src/aws/s3/get.js';
import { uploadFile, partSizeFor } from '../../src/aws/s3/put.js';
import { copy } from '../../src/aws/s3/cp.js';
import { listObjects } from '../../src/aws/s3/list.js';
import { noProgress } from '../../src/aws/s3/progress.js';
import { unlimited } from '../../src/aws/s3/bandwidth.js';
import type { AwsRuntime } from '../../src/aws/runtime.js';
import type { Rec } from '../../src/cli/types.js';
import { startS3, type S3Fixture } from './s3server.js';
import diagnostics_channel from 'node:diagnostics_channel';
import { requestChannel } from '../../src/metrics/channels.js';

let s3: S3Fixture;
let work: string;
const MiB = 1024 * 1024;
const big = randomBytes(3 * MiB + 123);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of it) out.push(r);
  return out;
}
const env = (rt?: AwsRuntime) => ({ rt: rt ?? s3.rt(), limiter: unlimited, progress: noProgress });
const client = () => s3Client({ profile: 'default', region: 'us-east-1', endpoint: s3.endpoint });
const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.includes('.strata-'));

beforeAll(async () => {
  s3 = await startS3(['src', 'dst']);
  work = join(s3.dir, 'work');
  mkdirSync(work);
  await (await client()).send(new PutObjectCommand({ Bucket: 'src', Key: 'big.bin', Body: big }));
});
afterAll(async () => {
  closeClients();
  await s3.close();
});

describe('s3 get', () => {
  it('downloads in parallel ranges into the final name, byte for byte', async () => {
    const dest = join(work, 'big.bin');
    const rec = await downloadObject(env(), { bucket: 'src', key: 'big.bin' }, dest, { partSize: 256 * 1024 });
    expect(rec).toMatchObject({ Source: 's3://src/big.bin', Destination: dest, Bytes: big.length });
    expect(readFileSync(dest).equals(big)).toBe(true);
    expect(leftovers(work)).toEqual([]);
  });

  it('when the disk fills, fails clearly and leaves neither the file nor a temp file', async () => {
    const dest = join(work, 'full.bin');
    let written = 0;
    const fillingDisk = async (path: string, flags: string) => {
      const fh = await open(path, flags);
      // both ways a FileHandle writes: write(buffer, offset, length, position) and writev(buffers, position)
      const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<unknown>;
      const writev = fh.writev.bind(fh);
      const fill = (bytes: number) => {
        written += bytes;
        if (written > MiB) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      };
      Object.assign(fh, {
        write: async (...args: unknown[]) => (fill((args[2] as number) ?? 0), write(...args)),
        writev: async (buffers: Uint8Array[], position?: number) => (fill(buffers.reduce((n, b) => n + b.length, 0)), writev(buffers, position)),
      });
      return fh;
    };
    await expect(downloadObject(env(), { bucket: 'src', key: 'big.bin' }, dest, { partSize: 256 * 1024, openFile: fillingDisk })).rejects.toMatchObject({ code: 'DISK_FULL', kind: 'runtime' });
    expect(existsSync(dest)).toBe(false);
    expect(leftovers(work)).toEqual([]);
  });

  it('writes through a symbolic link (the link stays, its target gets the bytes) and into a character device in place; refuses a FIFO, a dangling link and a loop before writing', async () => {
    const dir = join(work, 'dests');
    mkdirSync(dir);
    const src = { bucket: 'src', key: 'big.bin' };
    // a link: the target is replaced atomically, the link itself is kept
    writeFileSync(join(dir, 'target.bin'), 'old');
    symlinkSync('target.bin', join(dir, 'link.bin'));
    const rec = await downloadObject(env(), src, join(dir, 'link.bin'), { partSize: 512 * 1024 });
    expect(rec).toMatchObject({ Destination: join(dir, 'link.bin'), Bytes: big.length });
    expect(lstatSync(join(dir, 'link.bin')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'target.bin')).equals(big)).toBe(true);
    // a device: /dev/null takes the bytes and stays a device, directly or through a link
    await downloadObject(env(), src, '/dev/null');
    symlinkSync('/dev/null', join(dir, 'null-link'));
    await downloadObject(env(), src, join(dir, 'null-link'));
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    // a FIFO is refused (a reader that never comes would block a write no signal can stop)
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await expect(downloadObject(env(), src, join(dir, 'pipe'))).rejects.toMatchObject({ code: 'CANNOT_WRITE', message: expect.stringMatching(/is a named pipe: downloads go to files, folders or character devices/) });
    expect(lstatSync(join(dir, 'pipe')).isFIFO()).toBe(true);
    // a dangling link, a loop of links, and a path through a file are refused without writing anything
    symlinkSync('missing.bin', join(dir, 'dangling.bin'));
    await expect(downloadObject(env(), src, join(dir, 'dangling.bin'))).rejects.toMatchObject({ code: 'CANNOT_WRITE', message: expect.stringMatching(/symbolic link to nothing/) });
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    await expect(downloadObject(env(), src, join(dir, 'loop-a'))).rejects.toMatchObject({ code: 'CANNOT_WRITE', message: expect.stringMatching(/is a loop of symbolic links/) });
    await expect(downloadObject(env(), src, join(dir, 'target.bin', 'x.bin'))).rejects.toMatchObject({ code: 'CANNOT_WRITE', message: expect.stringMatching(/part of its path is a file/) });
    // a folder, directly or through a link, is refused too; all of these before any request: a key
    // that does not exist gives the destination's error, not NO_SUCH_KEY
    mkdirSync(join(dir, 'folder'));
    symlinkSync('folder', join(dir, 'folder-link'));
    const missing = { bucket: 'src', key: 'missing.bin' };
    for (const name of ['folder', 'folder-link']) {
      await expect(downloadObject(env(), missing, join(dir, name))).rejects.toMatchObject({ code: 'CANNOT_WRITE', message: expect.stringMatching(/it is a folder/) });
    }
    await expect(downloadObject(env(), missing, join(dir, 'pipe'))).rejects.toMatchObject({ code: 'CANNOT_WRITE' });
    await expect(downloadObject(env(), missing, '/dev/null')).rejects.toMatchObject({ code: 'NO_SUCH_KEY' });
    expect(readdirSync(join(dir, 'folder'))).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['dangling.bin', 'folder', 'folder-link', 'link.bin', 'loop-a', 'loop-b', 'null-link', 'pipe', 'target.bin']);
  });

  it('says clearly when the key does not exist', async () => {
    await expect(downloadObject(env(), { bucket: 'src', key: 'missing.bin' }, join(work, 'm'))).rejects.toMatchObject({ code: 'NO_SUCH_KEY', kind: 'runtime' });
    expect(existsSync(join(work, 'm'))).toBe(false);
  });

  it('when cancelled mid-download, leaves nothing under the final name', async () => {
    const ac = new AbortController();
    const dest = join(work, 'cancelled.bin');
    let seen = 0;
    const progress = { grow: () => undefined, stop: () => undefined, advance: (n: number) => { seen += n; if (seen > MiB) ac.abort(); } };
    await expect(downloadObject({ rt: s3.rt({ signal: ac.signal }), limiter: unlimited, progress }, { bucket: 'src', key: 'big.bin' }, dest, { partSize: 128 * 1024, partsInFlight: 2 })).rejects.toBeTruthy();
    expect(existsSync(dest)).toBe(false);
    expect(leftovers(work)).toEqual([]);
  });
});

describe('s3 put', () => {
  it('chooses 8 MiB parts for ordinary files and keeps huge ones within 10,000 parts', () => {
    expect(partSizeFor(100 * MiB)).toBe(8 * MiB);
    expect(partSizeFor(100 * 1024 * MiB)).toBe(103 * MiB);
    expect(Math.ceil((5 * 1024 ** 4) / partSizeFor(5 * 1024 ** 4))).toBeLessThanOrEqual(10_000);
  });

  it('uploads a small file in one request and a large one in parallel parts', async () => {
    const small = join(work, 'small.txt');
    writeFileSync(small, 'hello');
    expect(await uploadFile(env(), small, { bucket: 'dst', key: 'small.txt' })).toMatchObject({ Destination: 's3://dst/small.txt', Bytes: 5 });
    const large = join(work, 'large.bin');
    const data = randomBytes(17 * MiB);
    writeFileSync(large, data);
    await uploadFile(env(), large, { bucket: 'dst', key: 'large.bin' });
    const got = await (await client()).send(new GetObjectCommand({ Bucket: 'dst', Key: 'large.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  it('when cancelled, aborts the multipart upload so no parts are left behind', async () => {
    const large = join(work, 'large2.bin');
    writeFileSync(large, randomBytes(20 * MiB));
    const sent: string[] = [];
    const c = await client();
    c.middlewareStack.add((next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    }, { step: 'initialize', name: 'recordCommands' });
    const ac = new AbortController();
    const progress = { grow: () => undefined, stop: () => undefined, advance: () => ac.abort() };
    try {
      await expect(uploadFile({ rt: s3.rt({ signal: ac.signal }), limiter: unlimited, progress }, large, { bucket: 'dst', key: 'large2.bin' })).rejects.toBeTruthy();
    } finally {
      c.middlewareStack.remove('recordCommands');
    }
    expect(sent).toContain('CreateMultipartUploadCommand');
    expect(sent).toContain('AbortMultipartUploadCommand');
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    const keys = (await collect(listObjects(s3.rt({ cacheMode: 'no-cache' }), { bucket: 'dst', key: 'large2' }, { recursive: true }))).map((r) => r.Key);
    expect(keys).toEqual([]);
  });

  it('says clearly when the local file does not exist', async () => {
    await expect(uploadFile(env(), join(work, 'nope'), { bucket: 'dst', key: 'x' })).rejects.toMatchObject({ code: 'NO_SUCH_FILE' });
  });
});

describe('transfer request events', () => {
  it('name each request by its S3 operation (what perf report and --stats group by)', async () => {
    const seen: string[] = [];
    const onRequest = (m: unknown) => seen.push((m as { operation: string }).operation);
    const file = join(work, 'named.txt');
    writeFileSync(file, 'named');
    diagnostics_channel.subscribe(requestChannel.name, onRequest);
    try {
      await uploadFile(env(), file, { bucket: 'dst', key: 'named.txt' });
      await downloadObject(env(), { bucket: 'dst', key: 'named.txt' }, join(work, 'named-back.txt'));
    } finally {
      diagnostics_channel.unsubscribe(requestChannel.name, onRequest);
    }
    expect(seen).toEqual(['s3:PutObject', 's3:HeadObject', 's3:GetObject']);
  });
});

describe('s3 cp', () => {
  it('copies a directory up and back down recursively, and invalidates cached listings', async () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'sub', 'deeper'), { recursive: true });
    const files = { 'a.txt': 'A', 'sub/b.txt': 'BB', 'sub/deeper/c.txt': 'CCC' };
    for (const [p, body] of Object.entries(files)) writeFileSync(join(tree, p), body);
    const rt = s3.rt();
    expect(await collect(listObjects(rt, { bucket: 'dst', key: 'tree/' }, { recursive: true }))).toEqual([]);

    const up = await collect(copy(env(rt), tree, 's3://dst/tree/', { recursive: true }));
    expect(up.map((r) => r.Destination).sort()).toEqual(['s3://dst/tree/a.txt', 's3://dst/tree/sub/b.txt', 's3://dst/tree/sub/deeper/c.txt']);
    const listed = await collect(listObjects(rt, { bucket: 'dst', key: 'tree/' }, { recursive: true }));
    expect(listed.map((r) => r.Key)).toEqual(['tree/a.txt', 'tree/sub/b.txt', 'tree/sub/deeper/c.txt']);

    const back = join(work, 'back');
    const down = await collect(copy(env(rt), 's3://dst/tree/', back, { recursive: true }));
    expect(down.length).toBe(3);
    for (const [p, body] of Object.entries(files)) expect(readFileSync(join(back, p), 'utf8')).toBe(body);
  });

  it('a write invalidates the cached listings of the bucket it wrote to, and only those', async () => {
    const rt = s3.rt();
    await collect(listObjects(rt, { bucket: 'src', key: '' }, { recursive: true }));
    await collect(listObjects(rt, { bucket: 'dst', key: '' }, { recursive: true }));
    const listingKeys = async () => (await collect(s3.engine.entries('aws:*:*:s3:ListObjectsV2:*'))).map((e) => String(e.key).split(':')[5]);
    expect(new Set(await listingKeys())).toEqual(new Set(['src', 'dst']));
    const file = join(work, 'one.txt');
    writeFileSync(file, '1');
    await collect(copy(env(rt), file, 's3://dst/one.txt'));
    expect(new Set(await listingKeys())).toEqual(new Set(['src']));
  });

  it('copies between buckets on the server side, and into a prefix keeps the name', async () => {
    const [rec] = await collect(copy(env(), 's3://src/big.bin', 's3://dst/copies/'));
    expect(rec).toMatchObject({ Source: 's3://src/big.bin', Destination: 's3://dst/copies/big.bin' });
    const got = await (await client()).send(new GetObjectCommand({ Bucket: 'dst', Key: 'copies/big.bin' }));
    expect(Number(got.ContentLength)).toBe(big.length);
    await got.Body!.transformToByteArray();
  });

  it('with keep-going, a failed item is reported and the rest are copied', async () => {
    const tree = join(work, 'partial');
    mkdirSync(tree);
    for (const n of ['1', '2', '3']) writeFileSync(join(tree, n), n);
    const failures: Rec[] = [];
    const rt = s3.rt();
    // every item fails (no such bucket): each one is reported and the copy goes on to the next
    const recs = await collect(copy(env(rt), tree, 's3://no-such-bucket/x/', { recursive: true, onItemError: (_e, item) => failures.push(item) }));
    expect(recs).toEqual([]);
    expect(failures.map((f) => f.Source).sort()).toEqual(['1', '2', '3'].map((n) => join(tree, n)));
  });

  it('cp --recursive follows links to files and folders, and reports a loop, a FIFO or a dangling link instead of skipping it', async () => {
    const tree = join(work, 'links');
    mkdirSync(join(tree, 'real'), { recursive: true });
    writeFileSync(join(tree, 'real', 'a.txt'), 'A');
    writeFileSync(join(work, 'outside.txt'), 'O');
    symlinkSync(join(work, 'outside.txt'), join(tree, 'to-file.txt'));
    symlinkSync(join(tree, 'real'), join(tree, 'to-dir'));
    symlinkSync(tree, join(tree, 'real', 'loop'));
    symlinkSync(join(work, 'gone'), join(tree, 'dangling'));
    execFileSync('mkfifo', [join(tree, 'pipe')]);
    const failures: Rec[] = [];
    const errors: string[] = [];
    const recs = await collect(copy(env(), tree, 's3://dst/links/', { recursive: true, onItemError: (e, item) => (failures.push(item), errors.push((e as Error).message)) }));
    expect(recs.map((r) => String(r.Destination).replace('s3://dst/links/', '')).sort()).toEqual(['real/a.txt', 'to-dir/a.txt', 'to-file.txt']);
    expect(failures.map((f) => String(f.Source).slice(tree.length + 1)).sort()).toEqual(['dangling', 'pipe', 'real/loop', 'to-dir/loop']);
    expect(errors.sort()).toEqual([
      expect.stringMatching(/dangling is a symbolic link to nothing: not copied$/),
      expect.stringMatching(/pipe is not a regular file \(a FIFO, socket or device\): not copied$/),
      expect.stringMatching(/real\/loop is a link to a folder it is in \(a loop\): not copied$/),
      expect.stringMatching(/to-dir\/loop is a link to a folder it is in \(a loop\): not copied$/),
    ]);
    const got = await (await client()).send(new GetObjectCommand({ Bucket: 'dst', Key: 'links/to-file.txt' }));
    expect(await got.Body!.transformToString()).toBe('O');
    await expect(collect(copy(env(), tree, 's3://dst/links2/', { recursive: true }))).rejects.toMatchObject({ code: 'NOT_A_FILE' });
  });

  it('refuses a copy with no s3:// side, and a bad URL, as usage errors', async () => {
    await expect(collect(copy(env(), 'a', 'b'))).rejects.toMatchObject({ code: 'LOCAL_COPY', kind: 'usage' });
    await expect(collect(copy(env(), 'a', 's3://B!/x'))).rejects.toMatchObject({ code: 'BAD_S3_URL', kind: 'usage' });
  });
});
