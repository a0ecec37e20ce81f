// AWS suite against s3rver (in a child process, so its CPU and memory are not counted here) and
// aws-sdk-client-mock for EC2. Both are dev dependencies, loaded by a computed specifier so the
// CLI bundle never includes them. Figures: ls --recursive time to first record, CPU and peak RSS
// growth; cp --recursive of small files with --concurrency vs one at a time; ranged get
// throughput vs a single stream and its RSS; client CPU of `ec2 instances` over 1,000 instances.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure, Suite, SuiteContext } from '../types.js';
import type { AwsRuntime, StreamEngine } from '../../aws/runtime.js';

const load = (name: string) => import(name);
const MiB = 1024 * 1024;

async function startS3rver(dir: string, buckets: string[]): Promise<{ endpoint: string; child: ChildProcess }> {
  const script = `import S3rver from 's3rver';
const s = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(dir)}, configureBuckets: ${JSON.stringify(buckets.map((name) => ({ name })))} });
const { port } = await s.run(); process.stdout.write(String(port) + '\\n');`;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

async function runtimeFor(tmp: string, endpoint: string | undefined, concurrency: number): Promise<{ rt: AwsRuntime; close(): Promise<void> }> {
  const [{ createEngine }, { defaultConfig }, { createScheduler }] = await Promise.all([import('../../engine/index.js'), import('../../config/schema.js'), import('../../scheduler/index.js')]);
  const config = defaultConfig({}, tmp);
  config.cache.dir = join(tmp, 'cache');
  const engine = createEngine({ config, warn: () => undefined });
  const scheduler = createScheduler({ concurrency, rate: 0, retries: 3 });
  const rt: AwsRuntime = {
    scope: { profile: 'default', region: 'us-east-1', endpoint },
    engine: async () => engine as StreamEngine,
    scheduler: async () => scheduler,
    signal: new AbortController().signal,
    cacheMode: 'no-cache',
    concurrency,
    priority: 'interactive',
  };
  return { rt, close: async () => (await engine.close(), await scheduler.close()) };
}

function rssSampler() {
  const base = process.memoryUsage().rss;
  let peak = base;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return { stop: () => (clearInterval(t), (Math.max(peak, process.memoryUsage().rss) - base) / MiB), peakMiB: () => peak / MiB };
}

export const suite: Suite = {
  name: 'aws',
  summary: 's3 listing memory/CPU, bulk cp, ranged get, ec2 instances CPU (s3rver + mocked EC2)',
  async run(ctx: SuiteContext): Promise<Figure[]> {
    process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
    const figures: Figure[] = [];
    const keys = ctx.quick ? 20_000 : 100_000;
    const smallFiles = 2_000;
    const bigSize = (ctx.quick ? 64 : 256) * MiB;
    const { endpoint, child } = await startS3rver(join(ctx.tmpDir, 's3'), ['list', 'copies', 'big']);
    const { rt, close } = await runtimeFor(ctx.tmpDir, endpoint, 32);
    const { closeClients, s3Client } = await import('../../aws/clients.js');
    try {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const client = await s3Client(rt.scope, { maxSockets: 32 });
      const { boundedMap } = await import('../../aws/s3/bounded.js');
      ctx.log(`aws: seeding ${keys} keys`);
      async function* names() {
        for (let i = 0; i < keys; i++) yield `k/${String(i).padStart(7, '0')}`;
      }
      for await (const _ of boundedMap(names(), 32, (Key) => client.send(new PutObjectCommand({ Bucket: 'list', Key, Body: 'x' })))) void _;

      const { listObjects } = await import('../../aws/s3/list.js');
      const rss = rssSampler();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let first = 0;
      let n = 0;
      for await (const _ of listObjects(rt, { bucket: 'list', key: '' }, { recursive: true })) {
        if (n++ === 0) first = performance.now() - t0;
      }
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      figures.push(
        { name: 's3.ls.recursive.first-record', unit: 'ms', better: 'lower', samples: [first], note: `${keys} keys, 1,000 per page` },
        { name: 's3.ls.recursive.wall', unit: 'ms', better: 'lower', samples: [wall], note: `${n} records` },
        { name: 's3.ls.recursive.cpu', unit: 'ms', better: 'lower', samples: [(cpu.user + cpu.system) / 1000], note: `client CPU for ${n} keys (AWS CLI: 1,950 ms for 20k)` },
        { name: 's3.ls.recursive.rss-growth', unit: 'MiB', better: 'lower', samples: [rss.stop()], note: `peak RSS growth while listing ${n} keys`, target: '< 120 MiB total' },
      );

      const { copy } = await import('../../aws/s3/cp.js');
      const { noProgress } = await import('../../aws/s3/progress.js');
      const { unlimited } = await import('../../aws/s3/bandwidth.js');
      const dir = join(ctx.tmpDir, 'small');
      mkdirSync(dir);
      for (let i = 0; i < smallFiles; i++) writeFileSync(join(dir, `f${i}`), `file ${i}`);
      const timeCp = async (concurrency: number, prefix: string) => {
        const t = performance.now();
        let c = 0;
        for await (const _ of copy({ rt: { ...rt, concurrency }, limiter: unlimited, progress: noProgress }, dir, `s3://copies/${prefix}/`, { recursive: true })) c++;
        return { ms: performance.now() - t, c };
      };
      const parallel = await timeCp(32, 'parallel');
      const serial = await timeCp(1, 'serial');
      figures.push(
        { name: 's3.cp.recursive.2000.concurrency32', unit: 'ms', better: 'lower', samples: [parallel.ms], note: `${parallel.c} small files` },
        { name: 's3.cp.recursive.2000.serial', unit: 'ms', better: 'lower', samples: [serial.ms], note: 'same, --concurrency 1' },
        { name: 's3.cp.recursive.speedup', unit: 'x', better: 'higher', samples: [serial.ms / parallel.ms], target: '>= 10' },
      );

      const { randomBytes } = await import('node:crypto');
      const bigFile = join(ctx.tmpDir, 'big.bin');
      writeFileSync(bigFile, randomBytes(bigSize));
      const { uploadFile } = await import('../../aws/s3/put.js');
      await uploadFile({ rt, limiter: unlimited, progress: noProgress }, bigFile, { bucket: 'big', key: 'big.bin' });
      const { downloadObject } = await import('../../aws/s3/get.js');
      const timeGet = async (parts: number, partSize?: number) => {
        const r = rssSampler();
        const t = performance.now();
        await downloadObject({ rt, limiter: unlimited, progress: noProgress }, { bucket: 'big', key: 'big.bin' }, join(ctx.tmpDir, `got-${parts}.bin`), { partsInFlight: parts, partSize });
        const ms = performance.now() - t;
        return { mibs: bigSize / MiB / (ms / 1000), rss: r.stop(), peak: r.peakMiB() };
      };
      const single = await timeGet(1, bigSize);
      const ranged = await timeGet(8);
      figures.push(
        { name: 's3.get.single-stream', unit: 'MiB/s', better: 'higher', samples: [single.mibs], note: `${bigSize / MiB} MiB, one GET` },
        { name: 's3.get.ranged', unit: 'MiB/s', better: 'higher', samples: [ranged.mibs], note: '8 MiB ranges, 8 in flight' },
        { name: 's3.get.ranged.peak-rss', unit: 'MiB', better: 'lower', samples: [ranged.peak], note: 'whole bench process', target: '< 150' },
      );
    } finally {
      closeClients();
      child.kill();
    }

    // EC2: 1,000 instances over 10 mocked pages, through engine (no-cache) and scheduler
    const [{ mockClient }, { EC2Client, DescribeInstancesCommand }] = await Promise.all([load('aws-sdk-client-mock'), import('@aws-sdk/client-ec2')]);
    const mock = mockClient(EC2Client);
    const inst = (i: number) => ({ InstanceId: `i-${i}`, InstanceType: 't3.micro', State: { Name: 'running', Code: 16 }, LaunchTime: new Date(), PrivateIpAddress: '10.0.0.1', SubnetId: 'subnet-1', VpcId: 'vpc-1', SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'web' }], BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: `vol-${i}`, Status: 'attached' } }], Tags: [{ Key: 'Name', Value: `web-${i}` }, { Key: 'env', Value: 'prod' }] });
    mock.on(DescribeInstancesCommand).callsFake(async (input: { NextToken?: string }) => {
      const start = input.NextToken ? Number(input.NextToken) : 0;
      return { Reservations: Array.from({ length: 100 }, (_, k) => ({ ReservationId: `r-${start + k}`, Instances: [inst(start + k)] })), NextToken: start + 100 < 1000 ? String(start + 100) : undefined };
    });
    const ec2 = await runtimeFor(ctx.tmpDir, undefined, 16);
    try {
      const { describe } = await import('../../aws/ec2.js');
      const samples: number[] = [];
      for (let round = 0; round < (ctx.quick ? 3 : 10); round++) {
        const c0 = process.cpuUsage();
        let n = 0;
        for await (const _ of describe({ ...ec2.rt, scope: { ...ec2.rt.scope, region: 'eu-west-1' } }, 'instances')) n++;
        const c = process.cpuUsage(c0);
        if (n !== 1000) throw new Error(`expected 1000 instances, got ${n}`);
        samples.push((c.user + c.system) / 1000);
      }
      figures.push({ name: 'ec2.instances.1000.cpu', unit: 'ms', better: 'lower', samples, note: 'client CPU, SDK mocked below the HTTP layer (no XML parsing); AWS CLI: 1,450 ms' });
    } finally {
      mock.restore();
      await ec2.close();
      await close();
    }
    return figures;
  },
};
