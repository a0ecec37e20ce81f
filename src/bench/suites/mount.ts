// Mount suite: `strata mount` (bin/strata.js, a child process: its RSS and CPU are its own, not
// this runner's) against s3rver (another child), readers as child processes. Figures: sequential
// cold read through the mount vs `strata s3 get` of the same object in the same run (the issue's
// comparison), and vs in-process GETs (one stream, parallel ranged GETs) as a stricter reference;
// warm re-read, stat p99 on a cached entry, `ls -l` of a 1,000-entry directory the second time,
// peak RSS while streaming a large object with the default cache size, and read-ahead accuracy on
// sequential reads / read-ahead bytes during random reads.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runtimeError } from '../../errors.js';
import type { Figure, Suite, SuiteContext } from '../types.js';
import { isBuilt, repositoryRoot } from './startup.js';

const MiB = 1024 * 1024;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function sh(command: string): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 }));
  });
}

async function must(command: string): Promise<{ stdout: string; ms: number }> {
  const r = await sh(command);
  if (r.code !== 0) throw new Error(`bench mount: \`${command}\` failed: ${r.stderr}`);
  return r;
}

async function startS3rver(dir: string, bucket: string): Promise<{ endpoint: string; stop(): void }> {
  const port = await freePort();
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '-s', '--configure-bucket', bucket], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if ((await sh(`exec 3<>/dev/tcp/127.0.0.1/${port}`)).code === 0) return { endpoint, stop: () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('bench mount: s3rver did not start');
}

/** Starts `strata mount` as a child and waits until the mount answers. */
async function startMount(endpoint: string, source: string, mnt: string, cacheDir: string): Promise<{ pid: number; stop(): Promise<void> }> {
  const root = repositoryRoot();
  if (!isBuilt(root)) {
    throw runtimeError('BENCH_MOUNT_NO_BUILD', 'the mount suite runs `strata mount` from bin/strata.js, which is not built', 'run npm run build first');
  }
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', STRATA_CACHE_DIR: cacheDir, NODE_NO_WARNINGS: '1' };
  const child = spawn(process.execPath, [join(root, 'bin', 'strata.js'), '--endpoint-url', endpoint, '--region', 'us-east-1', '-o', 'json', 'mount', source, mnt], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  for (let i = 0; i < 150; i++) {
    if ((await sh(`test -e ${mnt}/.strata-stats.json`)).code === 0) {
      return {
        pid: child.pid!,
        async stop() {
          child.kill('SIGINT');
          await exited;
        },
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`bench mount: strata mount did not come up: ${err}`);
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

const mbps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

export const suite: Suite = {
  name: 'mount',
  summary: 'FUSE mount over s3rver: cold and warm reads, stat and ls latency, RSS, read-ahead accuracy',
  async run(ctx: SuiteContext): Promise<Figure[]> {
    const seqSize = (ctx.quick ? 64 : 256) * MiB;
    const rssSize = (ctx.quick ? 256 : 1024) * MiB;
    const bucket = 'bench';
    const s3dir = join(ctx.tmpDir, 's3rver');
    const mnt = join(ctx.tmpDir, 'mnt');
    await mkdir(s3dir, { recursive: true });
    await mkdir(mnt, { recursive: true });
    const server = await startS3rver(s3dir, bucket);
    const [{ S3Client, GetObjectCommand, PutObjectCommand }, { Upload }, { DEFAULT_CACHE_SIZE, DEFAULT_BLOCK_SIZE }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('@aws-sdk/lib-storage'),
      import('../../mount/mount.js'),
    ]);
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as clients.ts does for the CLI's own clients
    const client = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const figures: Figure[] = [];
    let mount: Awaited<ReturnType<typeof startMount>> | undefined;
    try {
      ctx.log(`mount: preparing objects (${seqSize / MiB} MiB, ${rssSize / MiB} MiB, 1,000 small)`);
      const upload = async (key: string, size: number) => {
        const file = join(ctx.tmpDir, `${key}.src`);
        await must(`openssl enc -aes-128-ctr -pass pass:${key} -nosalt -pbkdf2 -in /dev/zero 2>/dev/null | head -c ${size} > ${file}`);
        const { createReadStream } = await import('node:fs');
        await new Upload({ client, params: { Bucket: bucket, Key: key, Body: createReadStream(file) }, partSize: 5 * MiB, queueSize: 2 }).done();
        await must(`rm -f ${file}`);
      };
      const rounds = ctx.quick ? 3 : 2;
      for (let r = 0; r < rounds; r++) await upload(`seq-${r}.bin`, seqSize);
      await upload('warmup.bin', 32 * MiB);
      await upload('big.bin', rssSize);
      for (let i = 0; i < 1000; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => client.send(new PutObjectCommand({ Bucket: bucket, Key: `many/f${String(i + j).padStart(4, '0')}.txt`, Body: 'x' }))));
      }

      mount = await startMount(server.endpoint, `s3://${bucket}`, mnt, join(ctx.tmpDir, 'cache'));
      const m = async () => JSON.parse((await must(`cat ${mnt}/.strata-stats.json`)).stdout);
      const pid = mount.pid;
      // A cold *cache*, not a cold process: the direct GETs above ran on a warmed-up client, so the
      // mount first reads another object (loads the SDK's command modules, JIT-compiles the path).
      await must(`dd if=${mnt}/warmup.bin of=/dev/null bs=1M status=none`);

      // Alternating rounds, each on an object no cache has seen: a direct GET of it in this process
      // (one stream, then parallel ranged GETs as `s3 get` does), then a cold read through the mount.
      const directStream: number[] = [];
      const directRanged: number[] = [];
      const cliGet: number[] = [];
      const cold: number[] = [];
      const ratio: number[] = [];
      const vsDirect: number[] = [];
      const cli = `AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER STRATA_CACHE_DIR=${join(ctx.tmpDir, 'cli-cache')} ${process.execPath} ${join(repositoryRoot(), 'bin', 'strata.js')} --endpoint-url ${server.endpoint} --region us-east-1`;
      for (let r = 0; r < rounds; r++) {
        const key = `seq-${r}.bin`;
        let t0 = performance.now();
        const whole = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        let got = 0;
        for await (const chunk of whole.Body as AsyncIterable<Buffer>) got += chunk.length;
        directStream.push(mbps(got, performance.now() - t0));
        t0 = performance.now();
        let next = 0;
        const count = Math.ceil(seqSize / DEFAULT_BLOCK_SIZE);
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < count) {
              const i = next++;
              const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${i * DEFAULT_BLOCK_SIZE}-${(i + 1) * DEFAULT_BLOCK_SIZE - 1}` }));
              await out.Body!.transformToByteArray();
            }
          }),
        );
        directRanged.push(mbps(seqSize, performance.now() - t0));
        const gotFile = join(ctx.tmpDir, 'got.bin');
        cliGet.push(mbps(seqSize, (await must(`${cli} s3 get s3://${bucket}/${key} ${gotFile} >/dev/null && rm -f ${gotFile}`)).ms));
        cold.push(mbps(seqSize, (await must(`dd if=${mnt}/${key} of=/dev/null bs=1M status=none`)).ms));
        ratio.push(cold[r] / cliGet[r]);
        vsDirect.push(cold[r] / Math.max(directStream[r], directRanged[r]));
      }
      const afterSeq = (await m()).prefetch;
      figures.push(
        { name: 'mount.read.cold', unit: 'MiB/s', better: 'higher', samples: cold, note: `sequential dd bs=1M of a ${seqSize / MiB} MiB object through the mount, empty caches` },
        { name: 's3.get.direct.stream', unit: 'MiB/s', better: 'higher', samples: directStream, note: 'one GetObject stream of the same object, same round' },
        { name: 's3.get.direct.ranged', unit: 'MiB/s', better: 'higher', samples: directRanged, note: `8 parallel ranged GETs of ${DEFAULT_BLOCK_SIZE / MiB} MiB, same round` },
        { name: 's3.get.cli', unit: 'MiB/s', better: 'higher', samples: cliGet, note: '`strata s3 get` of the same object to a file, whole command as a user runs it (start-up included), same round' },
        { name: 'mount.read.cold.ratio', unit: 'ratio', better: 'higher', samples: ratio, target: '>= 0.8', note: 'per round: cold read through the mount / `strata s3 get` of the same object (the issue\'s comparison)' },
        { name: 'mount.read.cold.vs-direct', unit: 'ratio', better: 'higher', samples: vsDirect, note: 'stricter reference: cold read through the mount / the faster in-process GET (no start-up, warmed client)' },
        { name: 'mount.prefetch.accuracy.sequential', unit: 'ratio', better: 'higher', samples: [afterSeq.accuracy ?? 0], target: '>= 0.9', note: 'prefetched bytes later read / prefetched bytes' },
      );
      const seqKey = 'seq-0.bin';

      const warm: number[] = [];
      for (let i = 0; i < (ctx.quick ? 3 : 5); i++) warm.push(seqSize / 1e9 / ((await must(`dd if=${mnt}/${seqKey} of=/dev/null bs=1M status=none`)).ms / 1000));
      figures.push({ name: 'mount.read.warm', unit: 'GB/s', better: 'higher', samples: warm, target: '>= 1', note: `re-read of the ${seqSize / MiB} MiB object: kernel page cache (auto_cache) over our block caches` });
      // The same re-read bypassing the kernel's page cache (O_DIRECT): our L1/L2 block caches alone.
      const direct1 = await sh(`dd if=${mnt}/${seqKey} of=/dev/null bs=1M iflag=direct status=none`);
      if (direct1.code === 0) {
        const own: number[] = [];
        for (let i = 0; i < (ctx.quick ? 3 : 5); i++) own.push(seqSize / 1e9 / ((await must(`dd if=${mnt}/${seqKey} of=/dev/null bs=1M iflag=direct status=none`)).ms / 1000));
        figures.push({ name: 'mount.read.warm.blockcache', unit: 'GB/s', better: 'higher', samples: own, note: `O_DIRECT re-read: L1 (${DEFAULT_CACHE_SIZE / MiB} MiB) and the disk block cache, no page cache` });
      } else {
        ctx.log(`mount: O_DIRECT re-read not possible here (${direct1.stderr.trim()}): no block-cache-only figure`);
      }

      // stat on a cached entry, from a child node process (fs.statSync is fine there).
      await must(`stat ${mnt}/${seqKey} >/dev/null`);
      const statJs = `const fs=require('fs');const p=process.argv[1];const t=[];for(let i=0;i<2000;i++){const a=process.hrtime.bigint();fs.statSync(p);t.push(Number(process.hrtime.bigint()-a)/1e6)}console.log(JSON.stringify(t))`;
      const statSamples: number[] = JSON.parse((await must(`node -e "${statJs}" ${mnt}/${seqKey}`)).stdout);
      figures.push({ name: 'mount.stat.cached', unit: 'ms', better: 'lower', samples: statSamples, target: 'p99 < 1', note: '2,000 stat() of one entry from a child process' });

      await must(`ls -l ${mnt}/many > /dev/null`);
      const ls: number[] = [];
      for (let i = 0; i < 5; i++) ls.push((await must(`ls -l ${mnt}/many > /dev/null`)).ms);
      figures.push({ name: 'mount.ls.1000.second', unit: 'ms', better: 'lower', samples: ls, target: '< 50', note: '`ls -l` of a 1,000-entry directory after a first listing (includes spawning ls)' });

      // Random reads: 4 KiB at random offsets of the big object; read-ahead must stay off.
      const before = (await m()).prefetch;
      const randJs = `const fs=require('fs');const fd=fs.openSync(process.argv[1]);const b=Buffer.alloc(4096);let s=7;for(let i=0;i<200;i++){s=(s*1103515245+12345)%2147483648;fs.readSync(fd,b,0,4096,(s%${rssSize / 4096 - 1})*4096)}`;
      await must(`node -e "${randJs}" ${mnt}/big.bin`);
      const after = (await m()).prefetch;
      figures.push({ name: 'mount.prefetch.random.bytes', unit: 'bytes', better: 'lower', samples: [after.bytesPrefetched - before.bytesPrefetched], target: '== 0', note: '200 random 4 KiB reads: bytes read ahead' });

      // Peak RSS of this process (the mount) while streaming the big object cold.
      ctx.log(`mount: RSS of strata mount before the large read ${((await rssOf(pid)) / 1e6).toFixed(0)} MB`);
      let peak = await rssOf(pid);
      const sampler = setInterval(() => void rssOf(pid).then((r) => (peak = Math.max(peak, r))), 50);
      const big = await must(`dd if=${mnt}/big.bin of=/dev/null bs=1M status=none`);
      clearInterval(sampler);
      figures.push(
        { name: 'mount.rss.peak', unit: 'MB', better: 'lower', samples: [peak / 1e6], target: '< 200', note: `peak RSS of the strata mount process while reading ${rssSize / MiB} MiB, default cache size` },
        { name: 'mount.read.cold.large', unit: 'MiB/s', better: 'higher', samples: [mbps(rssSize, big.ms)], note: `sequential read of ${rssSize / MiB} MiB` },
      );
    } finally {
      if (mount) await mount.stop();
      client.destroy();
      server.stop();
    }
    return figures;
  },
};
