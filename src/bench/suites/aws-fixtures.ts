// The aws suite's peers, each in its own process so that its CPU and memory are not the client's:
// s3rver (a dev dependency, started from the repository's node_modules by source text, so the CLI
// bundle never contains it), latency proxies in front of it, and listings seeded straight into
// s3rver's data directory (its on-disk layout: `<key>._S3rver_object`, `.md5`, `metadata.json`),
// which is ~50× faster than 100k PUTs through a CPU-bound server and reads back the same.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsRuntime, StreamEngine } from '../../aws/runtime.js';
import { latencyProxy, type LatencyProxyOptions } from './aws-latency-proxy.js';

export interface Peer {
  endpoint: string;
  child: ChildProcess;
}

/** Runs `script` (which prints its port) in a child that exits when the bench process goes away. */
async function childOnPort(script: string, extraArgs: string[] = []): Promise<{ port: number; child: ChildProcess }> {
  const orphanGuard = `process.stdin.on('end', () => process.exit(0)).resume();\n`;
  const child = spawn(process.execPath, [...extraArgs, '--input-type=module', '-e', orphanGuard + script], { stdio: ['pipe', 'pipe', 'inherit'], cwd: process.cwd() });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`peer process exited with ${code}`)));
  });
  return { port, child };
}

export async function startS3rver(dir: string, buckets: string[]): Promise<Peer & { port: number }> {
  const script = `import S3rver from 's3rver';
const s = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(dir)}, configureBuckets: ${JSON.stringify(buckets.map((name) => ({ name })))} });
const { port } = await s.run(); process.stdout.write(String(port) + '\\n');`;
  const { port, child } = await childOnPort(script, ['--openssl-legacy-provider']);
  return { endpoint: `http://127.0.0.1:${port}`, child, port };
}

/** A latency proxy (aws-latency-proxy.ts) in a child process, from the function's own source. */
export async function startProxy(opts: LatencyProxyOptions): Promise<Peer> {
  const script = `import * as net from 'node:net';
const p = await (${latencyProxy.toString()})(net, ${JSON.stringify(opts)});
process.stdout.write(String(p.port) + '\\n');`;
  const { port, child } = await childOnPort(script);
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

/** CPU time (user + system) a child has used so far, ms, from /proc (Linux). */
export function childCpuMs(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
}

/** Key i of a seeded listing: 1,000 keys per folder, so s3rver's walk skips folders before the page. */
export function seededKey(i: number): string {
  return `k/${String(Math.floor(i / 1000)).padStart(4, '0')}/${String(i).padStart(7, '0')}`;
}

/** Writes `count` one-byte objects ('x') into bucket directory `bucketDir` as s3rver stores them. */
export async function seedOnDisk(bucketDir: string, count: number): Promise<void> {
  const md5 = createHash('md5').update('x').digest('hex');
  const metadata = JSON.stringify({ 'content-type': 'application/octet-stream' }, null, 2);
  for (let folder = 0; folder * 1000 < count; folder++) {
    const dir = join(bucketDir, 'k', String(folder).padStart(4, '0'));
    await mkdir(dir, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let i = folder * 1000; i < Math.min(count, (folder + 1) * 1000); i++) {
      const base = join(dir, String(i).padStart(7, '0'));
      writes.push(writeFile(`${base}._S3rver_object`, 'x'), writeFile(`${base}._S3rver_object.md5`, md5), writeFile(`${base}._S3rver_metadata.json`, metadata));
    }
    await Promise.all(writes);
  }
}

export async function runtimeFor(tmp: string, endpoint: string | undefined, concurrency: number): Promise<{ rt: AwsRuntime; close(): Promise<void> }> {
  const [{ createEngine }, { defaultConfig }, { createScheduler }] = await Promise.all([import('../../engine/index.js'), import('../../config/schema.js'), import('../../scheduler/index.js')]);
  const config = defaultConfig({}, tmp);
  config.cache.dir = join(tmp, 'cache');
  const engine = createEngine({ config, warn: () => undefined });
  const scheduler = createScheduler({ concurrency, rate: 0, retries: 3 });
  const signal = new AbortController().signal;
  setMaxListeners(0, signal); // as runtimeFrom does: one listener per request in flight
  const rt: AwsRuntime = {
    scope: { profile: 'default', region: 'us-east-1', endpoint },
    engine: async () => engine as StreamEngine,
    scheduler: async () => scheduler,
    signal,
    cacheMode: 'no-cache',
    concurrency,
    priority: 'interactive',
  };
  return { rt, close: async () => (await engine.close(), await scheduler.close()) };
}
