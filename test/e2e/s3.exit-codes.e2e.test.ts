// Exit codes of the real `bin/strata` process (CLI.md): a bad S3 URL is a usage error (2), a
// missing bucket or key a runtime error (1), each with one clear line and no stack trace; with
// --keep-going a per-item failure in `cp --recursive` becomes an error record on stderr, the other
// items are copied, and the run ends with 1.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { records, useS3World, strata } from '../helpers/s3-e2e.js';


const world = useS3World(['exit-bkt']);

const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

describe('usage errors exit 2', () => {
  it.each([
    [['s3', 'get', 's3://Bad_Bucket!/key'], /invalid bucket name 'Bad_Bucket!'/],
    [['s3', 'ls', 'http://exit-bkt/key'], /invalid S3 URL 'http:\/\/exit-bkt\/key'.*s3:\/\/bucket/],
    [['s3', 'get', 's3://exit-bkt/prefix/'], /names a prefix, not an object/],
    [['s3', 'get', 's3://exit-bkt/x', '-'], /downloading to stdout \(-\) is not supported: stdout carries the records — give a file or folder path/],
    [['s3', 'cp', '-', 's3://exit-bkt/x'], /uploading from stdin \(-\) is not supported/],
    [['s3', 'put', 's3://exit-bkt/x', 'local.txt'], /'s3:\/\/exit-bkt\/x' is an S3 URL — the file comes first: s3 put local.txt s3:\/\/exit-bkt\/x/],
  ])('%j', async (args, message) => {
    const r = await strata(world, args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    noStack(r.stderr);
  });
});

describe('a malformed endpoint exits 2 naming the flag, before any request', () => {
  it.each(['notaurl', 'ftp://x', 'http://'])('--endpoint-url %j', async (endpoint) => {
    const r = await strata(world, ['s3', 'ls', 's3://exit-bkt/'], { endpoint });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`strata: --endpoint-url expects an http:// or https:// URL with a host, e.g. http://localhost:4566, got '${endpoint}' — e.g. --endpoint-url http://localhost:4566\n`);
    expect(r.stdout).toBe('');
  });
});

describe('missing buckets and keys exit 1', () => {
  it('a nonexistent key names the object and leaves no file', async () => {
    const work = world.workdir('missing');
    const r = await strata(world, ['s3', 'get', 's3://exit-bkt/no/such.key', join(work, 'out')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/object does not exist: s3:\/\/exit-bkt\/no\/such\.key/);
    expect(existsSync(join(work, 'out'))).toBe(false);
    noStack(r.stderr);
  });

  it('a destination whose folder is a file says so and writes nothing', async () => {
    const work = world.workdir('parent-file');
    writeFileSync(join(work, 'afile'), 'x');
    await strata(world, ['s3', 'put', join(work, 'afile'), 's3://exit-bkt/k.txt']);
    const r = await strata(world, ['s3', 'get', 's3://exit-bkt/k.txt', join(work, 'afile', 'x')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot write ${join(work, 'afile', 'x')}: part of its path is a file, not a folder`));
    expect(readFileSync(join(work, 'afile'), 'utf8')).toBe('x');
    noStack(r.stderr);
  });

  it('a profile that does not exist is named, even with keys in the environment', async () => {
    const r = await strata(world, ['--profile', 'nosuch', 's3', 'ls', 's3://exit-bkt/']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/no AWS credentials found for s3 ListObjectsV2 in us-east-1 with profile 'nosuch' — check that \[profile nosuch\] is in ~\/.aws\/config/);
    noStack(r.stderr);
  });

  it('a nonexistent bucket says so', async () => {
    const r = await strata(world, ['s3', 'ls', 's3://no-such-bucket-here/']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/bucket does not exist/);
    noStack(r.stderr);
  });
});

describe('--keep-going on cp --recursive', () => {
  it('reports the item it cannot write, copies the others, exits 1', async () => {
    const tree = world.workdir('kg-tree');
    mkdirSync(join(tree, 'sub'));
    for (const [p, body] of [['a.txt', 'A'], ['b.txt', 'B'], ['sub/c.txt', 'C']]) writeFileSync(join(tree, p), body);
    const up = await strata(world, ['s3', 'cp', tree, 's3://exit-bkt/kg/', '--recursive']);
    expect(up.code, up.stderr).toBe(0);

    // a real per-item failure, whoever runs the test (root too): a directory where b.txt must go
    const back = world.workdir('kg-back');
    mkdirSync(join(back, 'b.txt', 'occupied'), { recursive: true });
    const r = await strata(world, ['s3', 'cp', 's3://exit-bkt/kg/', back, '--recursive', '--keep-going', '-o', 'ndjson']);
    expect(r.code, r.stderr).toBe(1);
    const errors = records(r.stderr);
    expect(errors).toEqual([{ error: expect.objectContaining({ code: 'CANNOT_WRITE', Source: 's3://exit-bkt/kg/b.txt' }) }]);
    expect(String((errors[0].error as { message: string }).message)).toContain(join(back, 'b.txt'));
    expect(records(r.stdout).map((x) => x.Source).sort()).toEqual(['s3://exit-bkt/kg/a.txt', 's3://exit-bkt/kg/sub/c.txt']);
    expect(readFileSync(join(back, 'a.txt'), 'utf8')).toBe('A');
    expect(readFileSync(join(back, 'sub/c.txt'), 'utf8')).toBe('C');
  });

  it('reports a source that is not a regular file (a FIFO), uploads the others, exits 1', async () => {
    const tree = world.workdir('kg-fifo');
    for (const n of ['1.txt', '3.txt']) writeFileSync(join(tree, n), n);
    execFileSync('mkfifo', [join(tree, '2.pipe')]);
    const r = await strata(world, ['s3', 'cp', tree, 's3://exit-bkt/fifo/', '--recursive', '--keep-going', '-o', 'ndjson']);
    expect(r.code, r.stderr).toBe(1);
    expect(records(r.stderr)).toEqual([{ error: expect.objectContaining({ code: 'NOT_A_FILE', Source: join(tree, '2.pipe') }) }]);
    expect(records(r.stdout).map((x) => x.Destination).sort()).toEqual(['s3://exit-bkt/fifo/1.txt', 's3://exit-bkt/fifo/3.txt']);
  });
});
