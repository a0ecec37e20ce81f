// Every example of every command runs and produces the records it promises (nushell's
// test_examples). The examples run in process inside a small world of real peers: s3rver holds
// the buckets the S3 examples name, aws-sdk-client-mock answers the EC2 describe calls, and a
// scratch directory holds a copy of examples/tasks, the files the upload examples send, and the
// bench fixtures. An example without expected records must still succeed and print something.

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { mockClient } from 'aws-sdk-client-mock';
import * as EC2 from '@aws-sdk/client-ec2';
import { COMMANDS } from '../../src/commands/index.js';
import { runCli } from '../helpers/run-cli.js';

const root = resolve(import.meta.dirname, '../..');
const world = mkdtempSync(join(tmpdir(), 'strata-examples-'));
const cases = COMMANDS.flatMap((def) => (def.examples ?? []).map((ex) => ({ def, ex })));
let server: InstanceType<typeof S3rver>;
let env: NodeJS.ProcessEnv;

const tags = (name: string) => [{ Key: 'Name', Value: name }, { Key: 'env', Value: 'prod' }];

function mockEc2(): void {
  const ec2 = mockClient(EC2.EC2Client);
  ec2.on(EC2.DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' }, { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' }] });
  ec2.on(EC2.DescribeInstancesCommand).resolves({
    Reservations: [{ Instances: [{ InstanceId: 'i-0a1', InstanceType: 't3.micro', State: { Code: 16, Name: 'running' }, SubnetId: 'subnet-1', VpcId: 'vpc-0123', SecurityGroups: [{ GroupId: 'sg-0123', GroupName: 'web' }], BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-0123' } }], Tags: tags('web-1') }] }],
  });
  ec2.on(EC2.DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: 'vol-0123', Size: 8, State: 'available', Tags: tags('data') }] });
  ec2.on(EC2.DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-0123', GroupName: 'web' }, { GroupId: 'sg-0456', GroupName: 'db' }] });
  ec2.on(EC2.DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0123', IsDefault: true, CidrBlock: '172.31.0.0/16' }] });
  ec2.on(EC2.DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-0123', CidrBlock: '172.31.0.0/20' }] });
  ec2.on(EC2.DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-0123', Name: 'base', OwnerId: '123456789012' }] });
  ec2.on(EC2.DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0123', VolumeId: 'vol-0123', VolumeSize: 8 }] });
}

beforeAll(async () => {
  const data = join(world, 's3rver');
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: data, configureBuckets: [{ name: 'my-bucket' }, { name: 'src-bucket' }, { name: 'dst-bucket' }] });
  const { port } = (await server.run()) as { port: number };
  env = {
    HOME: world,
    STRATA_CACHE_DIR: join(world, 'cache'),
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    PATH: process.env.PATH,
  };
  const cwd = join(world, 'cwd');
  mkdirSync(join(cwd, 'site/css'), { recursive: true });
  cpSync(join(root, 'examples/tasks'), join(cwd, 'examples/tasks'), { recursive: true });
  cpSync(join(root, 'test/bench/fixtures'), join(cwd, 'test/bench/fixtures'), { recursive: true });
  cpSync(join(root, 'bin'), join(cwd, 'bin'), { recursive: true });
  cpSync(join(root, 'package.json'), join(cwd, 'package.json'));
  writeFileSync(join(cwd, 'report.csv'), 'a,b\n1,2\n');
  writeFileSync(join(cwd, 'site/index.html'), '<h1>hi</h1>');
  writeFileSync(join(cwd, 'site/css/site.css'), 'h1{}');
  const seed: Array<[string, string]> = [
    ['s3://my-bucket/logs/2026-01-01.log', 'one'],
    ['s3://my-bucket/logs/2026-01-02.log', 'two'],
    ['s3://my-bucket/data/file.bin', 'x'.repeat(4096)],
    ['s3://src-bucket/a.txt', 'a'],
  ];
  for (const [url, body] of seed) {
    const local = join(world, 'seed.tmp');
    writeFileSync(local, body);
    const res = await runCli(['s3', 'put', local, url, '-o', 'json'], { env, cwd });
    expect(res.code, res.stderr).toBe(0);
  }
  mockEc2();
});

// The SDK's credential chain reads the process environment, as it does in the real launcher.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
delete process.env.AWS_PROFILE;

afterAll(async () => {
  await server?.close();
  rmSync(world, { recursive: true, force: true });
});

describe('command examples', () => {
  it('every visible command has at least one example', () => {
    const without = COMMANDS.filter((d) => !d.hidden && !d.examples?.length).map((d) => d.name);
    expect(without).toEqual([]);
  });

  it.each(cases.filter((c) => !c.ex.interactive).map((c) => [`${c.def.name}: ${c.ex.summary}`, c] as const))('%s', async (_title, { ex }) => {
    const controller = new AbortController();
    const timer = ex.stopAfterMs ? setTimeout(() => controller.abort(), ex.stopAfterMs) : undefined;
    const res = await runCli(['-o', 'json', ...ex.argv], {
      stdin: ex.stdin,
      cwd: join(world, 'cwd', ex.cwd ?? ''),
      env,
      signal: controller.signal,
    });
    clearTimeout(timer);
    expect(res.code, res.stderr).toBe(ex.exitCode ?? (ex.stopAfterMs ? 130 : 0));
    if (ex.expected) expect(JSON.parse(res.stdout)).toEqual(ex.expected);
    else if (ex.stopAfterMs) expect(Array.isArray(JSON.parse(res.stdout))).toBe(true);
    else if (!ex.exitCode) expect(res.stdout.length, res.stderr).toBeGreaterThan(0);
    else expect(res.stderr).toMatch(/^strata: /);
  }, 120_000);
});
