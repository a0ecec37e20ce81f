// A cached AWS read in a new process never loads the AWS SDK: the second run of `s3 ls` and of
// `ec2 instances` is made from a copy of the build with every SDK chunk deleted, and still answers.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { runCli } from '../helpers/run-cli.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'strata-cached-'));
const stripped = join(dir, 'strata');
let server: InstanceType<typeof S3rver>;
let env: NodeJS.ProcessEnv;

/** bin/ and dist/ copied, minus every bundle that defines an AWS SDK client or its core. */
function strippedBuild(): number {
  cpSync(join(root, 'bin'), join(stripped, 'bin'), { recursive: true });
  cpSync(join(root, 'dist'), join(stripped, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(stripped, 'package.json'));
  const lib = join(stripped, 'dist', 'lib');
  let removed = 0;
  for (const f of readdirSync(lib)) {
    if (f.endsWith('.cjs') && /class (S3Client|EC2Client)\b|aws-sdk-js|class _?NodeHttpHandler\b/.test(readFileSync(join(lib, f), 'utf8'))) {
      rmSync(join(lib, f));
      removed++;
    }
  }
  expect(readdirSync(lib)).toContain('core.cjs');
  return removed;
}

// s3rver runs in this process: children are awaited, never run synchronously
const exec = promisify(execFile);
async function node(bin: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { status: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
const strata = (args: string[]) => node(join(stripped, 'bin/strata.js'), args);
const full = (args: string[]) => node(join(root, 'bin/strata.js'), args);

beforeAll(async () => {
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: 'logs' }] });
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
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  expect(strippedBuild()).toBeGreaterThan(0);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a cached read in a new process', () => {
  it('s3 ls answers from the cache without the SDK, and a miss cannot be served without it', async () => {
    const put = await full(['s3', 'put', join(root, 'package.json'), 's3://logs/a/package.json']);
    expect(put.status, put.stderr).toBe(0);
    const first = await full(['s3', 'ls', 's3://logs/a/', '-o', 'ndjson']);
    expect(first.status, first.stderr).toBe(0);
    const cached = await strata(['s3', 'ls', 's3://logs/a/', '-o', 'ndjson']);
    expect(cached.status, cached.stderr).toBe(0);
    expect(cached.stdout).toBe(first.stdout);
    expect(JSON.parse(cached.stdout.split('\n')[0])).toMatchObject({ Key: 'a/package.json', Type: 'object', Bucket: 'logs' });
    // the stripped build really lacks the SDK: a read the cache cannot answer fails
    const miss = await strata(['s3', 'ls', 's3://logs/other/']);
    expect(miss.status).not.toBe(0);
  });

  it('ec2 instances answers from the cache without the SDK', async () => {
    const ec2 = mockClient(EC2Client);
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc', State: { Code: 16, Name: 'running' }, Tags: [{ Key: 'Name', Value: 'web' }] }] }] });
    const seeded = await runCli(['ec2', 'instances', '-o', 'ndjson'], { env, cwd: dir });
    expect(seeded.code, seeded.stderr).toBe(0);
    ec2.restore();
    const cached = await strata(['ec2', 'instances', '-o', 'ndjson']);
    expect(cached.status, cached.stderr).toBe(0);
    expect(cached.stdout).toBe(seeded.stdout);
    expect(JSON.parse(cached.stdout)).toMatchObject({ InstanceId: 'i-0abc', Name: 'web', Region: 'eu-west-1' });
  });
});
