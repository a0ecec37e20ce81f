// AWS suite against s3rver and aws-sdk-client-mock (EC2). Peers run in child processes
// (aws-fixtures.ts); CLI figures run the built `bin/strata.js` when dist/ exists.
//
// s3rver answers on loopback in a few ms and is CPU-bound on this shared 2-core machine, where
// real S3 is latency-bound (tens of ms per request) — which is what parallelism hides. So cp and
// get are measured directly (raw) and through a latency proxy adding a simulated network round
// trip (0, 10, 30 ms RTT; aws-latency-proxy.ts), with s3rver's own CPU per request to explain the
// raw bound. Figures:
//   - ls --recursive: time to first record, and when the second page was requested (request
//     channel), wall, client CPU, RSS growth in process; peak RSS of `strata s3 ls` as a process
//   - cp --recursive of small files: --concurrency 32 vs 1 at each RTT, and the bound s3rver's one
//     thread sets (the serial time over its CPU time in the parallel run)
//   - get: one plain SDK GET piped to a file vs our ranged get, alternating, raw and at 10 ms;
//     peak RSS of `strata s3 get` as a process
//   - start-up: `node -e 0`, uncached and cached `strata s3 buckets`; the S3/EC2 clients' import,
//     construction and first request, each timed in a fresh node
//   - ec2 instances over 1,000 mocked instances: client CPU

import { execFile, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median } from '../stats.js';
import type { Figure, Suite, SuiteContext } from '../types.js';
import type { AwsRuntime } from '../../aws/runtime.js';
import type { Executor } from '../executor.js';
import { isBuilt } from './startup.js';
import { childCpuMs, runtimeFor, seedOnDisk, seededKey, startProxy, startS3rver, type Peer } from './aws-fixtures.js';

/** Test-only packages (aws-sdk-client-mock): required from node_modules, never bundled. */
const devRequire = createRequire(import.meta.url);
const MiB = 1024 * 1024;

function rssSampler() {
  const base = process.memoryUsage().rss;
  let peak = base;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return { stop: () => (clearInterval(t), (Math.max(peak, process.memoryUsage().rss) - base) / MiB) };
}

/** The built CLI next to the working directory, or undefined (CLI figures are then skipped). */
function cliPath(): string | undefined {
  const bin = join(process.cwd(), 'bin', 'strata.js');
  return isBuilt(process.cwd()) ? bin : undefined;
}

/** The absolute path of `program` on PATH, or undefined. */
function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const file = join(dir || '.', program);
    try {
      accessSync(file, fsConstants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `aws-cli/1.45.11` (version 1 prints it on stderr, version 2 on stdout). */
async function awsVersion(aws: string): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(aws, ['--version'], { encoding: 'utf8' });
  return `${stdout}${stderr}`.trim().split(' ')[0] || 'version unknown';
}

/** The built bundle that defines class `name` (dist/lib/aws-s3.cjs for S3Client). */
function bundleDefining(name: string): string | undefined {
  const dir = join(process.cwd(), 'dist', 'lib');
  return readdirSync(dir).map((f) => join(dir, f)).find((f) => f.endsWith('.cjs') && readFileSync(f, 'utf8').includes(`${name}=class`));
}

/**
 * In a fresh node: how long requiring the bundle that defines `client` takes (plain require, no
 * code cache: the cost of a first run), then
 * constructing it, then (with an endpoint) its first request — which pays the credential chain and
 * the lazy compilation of the request path — and a second request, which is the wire alone. ms.
 */
function sdkCost(bundle: string, client: string, command: string | undefined, endpoint: string | undefined, env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
  const script = `const t0 = performance.now();
const m = require(${JSON.stringify(bundle)});
const t1 = performance.now();
const c = new m.${client}({ region: 'us-east-1', maxAttempts: 1${endpoint ? `, endpoint: ${JSON.stringify(endpoint)}, forcePathStyle: true` : ''} });
const t2 = performance.now();
const out = { import: t1 - t0, construct: t2 - t1 };
${command ? `await c.send(new m.${command}({})); const t3 = performance.now(); await c.send(new m.${command}({}));
out.firstRequest = t3 - t2; out.secondRequest = performance.now() - t3;` : ''}
c.destroy(); process.stdout.write(JSON.stringify(out));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', `(async () => {\n${script}\n})()`], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`timing ${client} from ${bundle} failed (${code})`))));
  });
}

export const suite: Suite = {
  name: 'aws',
  summary: 's3 listing memory/CPU, bulk cp and ranged get at simulated RTTs, SDK load cost, ec2 CPU (s3rver + mocked EC2)',
  async run(ctx: SuiteContext): Promise<Figure[]> {
    process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
    const figures: Figure[] = [];
    const keys = ctx.quick ? 20_000 : 100_000;
    const smallFiles = ctx.quick ? 500 : 2_000;
    const bigSize = (ctx.quick ? 64 : 256) * MiB;
    const rounds = ctx.quick ? 3 : 5;
    const s3dir = join(ctx.tmpDir, 's3');
    const s3rver = await startS3rver(s3dir, ['list', 'copies', 'big']);
    const peers: Peer[] = [s3rver];
    const runtimes: Array<{ close(): Promise<void> }> = [];
    const cli = cliPath();
    const cliEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'us-east-1', STRATA_CACHE_DIR: join(ctx.tmpDir, 'cli-cache'), XDG_CONFIG_HOME: join(ctx.tmpDir, 'cli-config'), NODE_OPTIONS: '' };
    let executor: Executor | undefined;
    const { closeClients } = await import('../../aws/clients.js');
    try {
      const runtime = async (endpoint: string, concurrency = 32): Promise<AwsRuntime> => {
        const r = await runtimeFor(ctx.tmpDir, endpoint, concurrency);
        runtimes.push(r);
        return r.rt;
      };
      const raw = await runtime(s3rver.endpoint);
      const proxies = new Map<number, Peer>();
      for (const rttMs of [0, 10, 30]) {
        const p = await startProxy({ targetHost: '127.0.0.1', targetPort: s3rver.port, rttMs });
        peers.push(p);
        proxies.set(rttMs, p);
      }
      if (cli) {
        const { createProcessExecutor } = await import('../process-executor.js');
        executor = await createProcessExecutor({ cwd: process.cwd(), env: cliEnv });
      }
      const strata = (...args: string[]) => ({ argv: [process.execPath, cli!, ...args, '--endpoint-url', s3rver.endpoint], display: `strata ${args.join(' ')}` });

      // ---- ls --recursive
      ctx.log(`aws: seeding ${keys} keys into s3rver's directory`);
      await seedOnDisk(join(s3dir, 'list'), keys);
      const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
      const { s3Client } = await import('../../aws/clients.js');
      const head = await (await s3Client(raw.scope, { maxSockets: 32 })).send(new HeadObjectCommand({ Bucket: 'list', Key: seededKey(keys - 1) }));
      if (head.ContentLength !== 1 || head.ETag !== '"9dd4e461268c8034f5c8564e155c67a6"') throw new Error(`seeded object reads back wrong: ${head.ContentLength} ${head.ETag}`);

      const [{ listObjects }, { requestChannel }] = await Promise.all([import('../../aws/s3/list.js'), import('../../metrics/channels.js')]);
      const requestStarts: number[] = [];
      const onRequest = (e: unknown) => {
        const { lane, ms } = e as { lane: string; ms: number };
        if (lane.startsWith('s3:')) requestStarts.push(performance.now() - ms);
      };
      requestChannel.subscribe(onRequest);
      const rss = rssSampler();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let first = 0;
      let n = 0;
      try {
        for await (const _ of listObjects(raw, { bucket: 'list', key: '' }, { recursive: true })) if (n++ === 0) first = performance.now();
      } finally {
        requestChannel.unsubscribe(onRequest);
      }
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (n !== keys) throw new Error(`listed ${n} of ${keys} seeded keys`);
      const secondRequest = [...requestStarts].sort((a, b) => a - b)[1];
      figures.push(
        { name: 's3.ls.recursive.first-record', unit: 'ms', better: 'lower', samples: [first - t0], note: `${keys} keys, 1,000 per page` },
        { name: 's3.ls.recursive.second-page-requested', unit: 'ms', better: 'higher', samples: [secondRequest - t0], note: `request channel; the first record came ${(secondRequest - first).toFixed(1)} ms before it`, target: '> first-record' },
        { name: 's3.ls.recursive.wall', unit: 'ms', better: 'lower', samples: [wall], note: `${n} records, ${requestStarts.length} requests` },
        { name: 's3.ls.recursive.cpu', unit: 'ms', better: 'lower', samples: [(cpu.user + cpu.system) / 1000], note: `client CPU for ${n} keys (AWS CLI: 1,950 ms for 20k)` },
        { name: 's3.ls.recursive.rss-growth', unit: 'MiB', better: 'lower', samples: [rss.stop()], note: `in-process peak RSS growth while listing ${n} keys` },
      );
      if (executor) {
        const r = await executor.run(strata('--no-cache', 's3', 'ls', 's3://list/', '--recursive', '-o', 'ndjson'));
        if (r.exitCode !== 0) throw new Error(`strata s3 ls exited with ${r.exitCode}`);
        figures.push({ name: 's3.ls.recursive.cli.peak-rss', unit: 'MiB', better: 'lower', samples: [(r.maxRssKb ?? 0) / 1024], note: `strata --no-cache s3 ls --recursive -o ndjson of ${keys} keys, whole process (wall ${(r.wallMs / 1000).toFixed(1)} s, CPU ${((r.userMs ?? 0) + (r.sysMs ?? 0)).toFixed(0)} ms)`, target: '< 120' });
        // The AWS CLI on the same bucket in the same run, when one is installed: the issue's
        // reference figures (1.95 s of CPU for 20k keys) came from another day on a quieter machine.
        // STRATA_BENCH_AWS_CLI names the program when PATH has only a wrapper (pyenv's shim adds a
        // shell and a Python start-up of its own).
        const aws = process.env.STRATA_BENCH_AWS_CLI || onPath('aws');
        if (aws && r.userMs !== null) {
          const a = await executor.run({ argv: [aws, 's3', 'ls', 's3://list/', '--recursive', '--endpoint-url', s3rver.endpoint], display: 'aws s3 ls --recursive', env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_DEFAULT_REGION: 'us-east-1' } });
          if (a.exitCode !== 0) throw new Error(`aws s3 ls exited with ${a.exitCode}`);
          const ours = r.userMs + (r.sysMs ?? 0);
          const theirs = (a.userMs ?? 0) + (a.sysMs ?? 0);
          figures.push(
            { name: 's3.ls.recursive.cli.cpu', unit: 'ms', better: 'lower', samples: [ours], note: `strata --no-cache s3 ls --recursive -o ndjson, ${keys} keys, whole process (user + sys)` },
            { name: 's3.ls.recursive.awscli.cpu', unit: 'ms', better: 'lower', samples: [theirs], note: `aws s3 ls --recursive (${await awsVersion(aws)}), same bucket, same run, whole process` },
            { name: 's3.ls.recursive.cpu-vs-awscli', unit: 'x', better: 'lower', samples: [ours / theirs], target: '<= 0.2', note: 'client CPU, strata / AWS CLI, whole processes, same run' },
          );
        } else ctx.log('aws: no AWS CLI on PATH: the same-run comparison of s3 ls CPU is skipped');
      }

      // ---- cp --recursive of small files, concurrency 32 vs 1, raw and at simulated RTTs
      const [{ copy }, { noProgress }, { unlimited }] = await Promise.all([import('../../aws/s3/cp.js'), import('../../aws/s3/progress.js'), import('../../aws/s3/bandwidth.js')]);
      const dir = join(ctx.tmpDir, 'small');
      mkdirSync(dir);
      for (let i = 0; i < smallFiles; i++) writeFileSync(join(dir, `f${i}`), `file ${i}`);
      const timeCp = async (rt: AwsRuntime, concurrency: number, prefix: string, proxy?: Peer) => {
        const server0 = childCpuMs(s3rver.child);
        const proxy0 = proxy ? childCpuMs(proxy.child) : 0;
        const cpu0 = process.cpuUsage();
        const t = performance.now();
        let c = 0;
        for await (const _ of copy({ rt: { ...rt, concurrency }, limiter: unlimited, progress: noProgress }, dir, `s3://copies/${prefix}/`, { recursive: true })) c++;
        const ms = performance.now() - t;
        const client = process.cpuUsage(cpu0);
        if (c !== smallFiles) throw new Error(`copied ${c} of ${smallFiles}`);
        return {
          ms,
          serverCpuPerObject: (childCpuMs(s3rver.child) - server0) / c,
          proxyCpuPerObject: proxy ? (childCpuMs(proxy.child) - proxy0) / c : 0,
          clientCpuPerObject: (client.user + client.system) / 1000 / c,
        };
      };
      const targets: Array<[string, Peer | undefined]> = [['raw', undefined], ...[...proxies].map(([rtt, p]): [string, Peer] => [`rtt${rtt}`, p])];
      for (const [label, proxy] of targets) {
        ctx.log(`aws: cp --recursive ${smallFiles} files (${label})`);
        const rt = await runtime(proxy?.endpoint ?? s3rver.endpoint);
        const parallel = await timeCp(rt, 32, `${label}-c32`, proxy);
        const serial = await timeCp(rt, 1, `${label}-c1`, proxy);
        const what = label === 'raw' ? 's3rver directly' : `through the proxy, ${label.slice(3)} ms simulated network round trip`;
        const proxyCpu = proxy ? `, proxy CPU ${parallel.proxyCpuPerObject.toFixed(1)} ms/object` : '';
        figures.push(
          { name: `s3.cp.recursive.${label}.concurrency32`, unit: 'ms', better: 'lower', samples: [parallel.ms], note: `${smallFiles} small files, ${what}; s3rver CPU ${parallel.serverCpuPerObject.toFixed(1)} ms/object, client CPU ${parallel.clientCpuPerObject.toFixed(1)} ms/object${proxyCpu}` },
          { name: `s3.cp.recursive.${label}.serial`, unit: 'ms', better: 'lower', samples: [serial.ms], note: `same, --concurrency 1 (${(serial.ms / smallFiles).toFixed(1)} ms/object)` },
          { name: `s3.cp.recursive.${label}.speedup`, unit: 'x', better: 'higher', samples: [serial.ms / parallel.ms], target: '>= 10' },
          // s3rver serves on one thread: the parallel run cannot be shorter than its CPU time
          { name: `s3.cp.recursive.${label}.server-bound`, unit: 'x', better: 'higher', samples: [serial.ms / (parallel.serverCpuPerObject * smallFiles)], note: 'control: the serial time over s3rver\'s own CPU time in the parallel run (one thread), the most any client could reach here' },
        );
      }

      // ---- get: a plain single-stream GET vs our ranged get, alternating
      const { randomBytes } = await import('node:crypto');
      const bigFile = join(ctx.tmpDir, 'big.bin');
      await new Promise<void>((resolve, reject) => {
        const w = createWriteStream(bigFile).on('error', reject);
        for (let i = 0; i < bigSize / MiB; i++) w.write(randomBytes(MiB));
        w.end(resolve);
      });
      const [{ uploadFile }, { downloadObject, GET_PART_SIZE, GET_PARTS_IN_FLIGHT }, { GetObjectCommand }, { pipeline }, { unlink }] = await Promise.all([
        import('../../aws/s3/put.js'),
        import('../../aws/s3/get.js'),
        import('@aws-sdk/client-s3'),
        import('node:stream/promises'),
        import('node:fs/promises'),
      ]);
      await uploadFile({ rt: raw, limiter: unlimited, progress: noProgress }, bigFile, { bucket: 'big', key: 'big.bin' });
      const dest = join(ctx.tmpDir, 'got.bin');
      const mibs = (ms: number) => bigSize / MiB / (ms / 1000);
      for (const [label, endpoint] of [['raw', s3rver.endpoint], ['rtt10', proxies.get(10)!.endpoint]] as const) {
        ctx.log(`aws: get ${bigSize / MiB} MiB (${label})`);
        const rt = await runtime(endpoint);
        const client = await s3Client(rt.scope, { maxSockets: 32 });
        const single: number[] = [];
        const ranged: number[] = [];
        const serverBusy = { single: [] as number[], ranged: [] as number[] };
        /** Runs one download; returns MiB/s and records s3rver's CPU as a share of the wall time. */
        const timed = async (kind: 'single' | 'ranged', download: () => Promise<unknown>) => {
          const server0 = childCpuMs(s3rver.child);
          const t = performance.now();
          await download();
          const ms = performance.now() - t;
          serverBusy[kind].push((childCpuMs(s3rver.child) - server0) / ms);
          await unlink(dest);
          return mibs(ms);
        };
        for (let round = 0; round < rounds; round++) {
          single.push(await timed('single', async () => {
            const out = await client.send(new GetObjectCommand({ Bucket: 'big', Key: 'big.bin' }));
            // flushed to disk before close, as strata's get fsyncs before its rename
            await pipeline(out.Body as NodeJS.ReadableStream, createWriteStream(dest, { flush: true }));
          }));
          ranged.push(await timed('ranged', () => downloadObject({ rt, limiter: unlimited, progress: noProgress }, { bucket: 'big', key: 'big.bin' }, dest)));
        }
        const what = label === 'raw' ? 's3rver directly' : '10 ms simulated network round trip';
        const busy = (xs: number[]) => `s3rver busy ${(median(xs) * 100).toFixed(0)}% of a core`;
        figures.push(
          { name: `s3.get.${label}.single-stream`, unit: 'MiB/s', better: 'higher', samples: single, note: `${bigSize / MiB} MiB, one SDK GET piped to a file and fsynced, ${what}; ${busy(serverBusy.single)}` },
          { name: `s3.get.${label}.ranged`, unit: 'MiB/s', better: 'higher', samples: ranged, note: `strata get: ${GET_PART_SIZE / MiB} MiB ranges, ${GET_PARTS_IN_FLIGHT} in flight; median ${(median(ranged) / median(single)).toFixed(2)}× the single stream; ${busy(serverBusy.ranged)}`, target: '>= single-stream' },
        );
      }
      if (executor) {
        const r = await executor.run(strata('s3', 'get', 's3://big/big.bin', dest));
        if (r.exitCode !== 0) throw new Error(`strata s3 get exited with ${r.exitCode}`);
        figures.push({ name: 's3.get.cli.peak-rss', unit: 'MiB', better: 'lower', samples: [(r.maxRssKb ?? 0) / 1024], note: `strata s3 get of ${bigSize / MiB} MiB, whole process (${mibs(r.wallMs).toFixed(0)} MiB/s including start-up)`, target: '< 150' });
      }

      // ---- start-up: what loading the SDK costs strata
      if (executor) {
        ctx.log('aws: start-up');
        const runs = ctx.quick ? 7 : 15;
        const wallOf = async (cmd: { argv: string[]; display: string }) => {
          const r = await executor!.run(cmd);
          if (r.exitCode !== 0) throw new Error(`${cmd.display} exited with ${r.exitCode}`);
          return r.wallMs;
        };
        await executor.run(strata('s3', 'buckets')); // fills the cache (--no-cache neither reads nor writes it)
        // the three alternate, so a change in the host's load between them falls on all three alike
        const [nodeOnly, uncached, cached]: number[][] = [[], [], []];
        for (let i = 0; i < runs; i++) {
          nodeOnly.push(await wallOf({ argv: [process.execPath, '-e', '0'], display: 'node -e 0' }));
          uncached.push(await wallOf(strata('--no-cache', 's3', 'buckets')));
          cached.push(await wallOf(strata('s3', 'buckets')));
        }
        const base = median(nodeOnly);
        figures.push(
          { name: 'startup.node-e-0', unit: 'ms', better: 'lower', samples: nodeOnly },
          { name: 'startup.s3.buckets.uncached', unit: 'ms', better: 'lower', samples: uncached, note: `strata --no-cache s3 buckets (loads the S3 client, one ListBuckets): median ${(median(uncached) - base).toFixed(0)} ms over node -e 0`, target: '< node -e 0 + 150' },
          { name: 'startup.s3.buckets.cached', unit: 'ms', better: 'lower', samples: cached, note: `from the disk cache, no SDK: median ${(median(cached) - base).toFixed(0)} ms over node -e 0`, target: '< node -e 0 + 40' },
        );
        for (const [service, client, command, endpoint] of [['s3', 'S3Client', 'ListBucketsCommand', s3rver.endpoint], ['ec2', 'EC2Client', undefined, undefined]] as const) {
          const bundle = bundleDefining(client);
          if (!bundle) continue;
          const runsOf: Record<string, number[]> = {};
          for (let i = 0; i < runs; i++) {
            for (const [k, v] of Object.entries(await sdkCost(bundle, client, command, endpoint, cliEnv))) (runsOf[k] ??= []).push(v);
          }
          const what: Record<string, string> = {
            import: `require() of the bundle defining ${client}, fresh node, no code cache`,
            construct: `new ${client}(...)`,
            firstRequest: `first ${command}: credential chain, lazy compilation of the request path, the request`,
            secondRequest: `second ${command}: the request alone`,
          };
          for (const [k, xs] of Object.entries(runsOf)) figures.push({ name: `startup.sdk.${service}.${k}`, unit: 'ms', better: 'lower', samples: xs, note: what[k] });
        }
      } else ctx.log('aws: no dist/ (run node scripts/build.mjs): CLI figures skipped');
    } finally {
      closeClients();
      await executor?.close();
      for (const r of runtimes) await r.close();
      for (const p of peers) p.child.kill();
    }

    // ---- EC2: 1,000 instances over 10 mocked pages, through engine (no-cache) and scheduler
    const [{ mockClient }, { EC2Client, DescribeInstancesCommand }] = await Promise.all([devRequire('aws-sdk-client-mock'), import('@aws-sdk/client-ec2')]);
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
    }
    return figures;
  },
};
