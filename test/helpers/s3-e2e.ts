// End-to-end S3 world: s3rver on a random loopback port in this process, a temp directory, and the
// built `bin/strata.js` run as a real child process (never synchronously: s3rver answers from this
// process's event loop). Children get a minimal env: s3rver's keys, a private STRATA_CACHE_DIR and
// HOME; the endpoint and region go on the command line as a user would type them.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import S3rver from 's3rver';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';

export const STRATA_BIN = resolve(import.meta.dirname, '../../bin/strata.js');
export const REGION = 'us-east-1';

// the in-process SDK client used for fixtures signs with these; s3rver accepts them
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';

export interface S3World {
  /** Temp directory of this world (s3rver data, cache, HOME, work files). */
  dir: string;
  /** s3rver's own endpoint, `http://127.0.0.1:<port>`. */
  endpoint: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** A fresh work directory below `dir`. */
  workdir(name: string): string;
  close(): Promise<void>;
}

async function startS3World(buckets: string[]): Promise<S3World> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-e2e-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3rver'), configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = (await server.run()) as { port: number };
  return {
    dir,
    port,
    endpoint: `http://127.0.0.1:${port}`,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      STRATA_CACHE_DIR: join(dir, 'cache'),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    workdir(name) {
      return mkdtempSync(join(dir, `${name}-`));
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An object put in a world before its tests run. */
export interface SeedObject {
  bucket: string;
  key: string;
  body: string | Uint8Array;
}

/**
 * The world of a test file: started (and `seed` put into it) before its tests, closed after them.
 * The object returned is filled in when the world has started.
 */
export function useS3World(buckets: string[], seed: SeedObject[] = []): S3World {
  const world = {} as S3World;
  beforeAll(async () => {
    Object.assign(world, await startS3World(buckets));
    if (seed.length === 0) return;
    const client = new S3Client({ endpoint: world.endpoint, region: REGION, forcePathStyle: true });
    for (const o of seed) await client.send(new PutObjectCommand({ Bucket: o.bucket, Key: o.key, Body: o.body }));
    client.destroy();
  });
  afterAll(async () => {
    await world.close?.();
  });
  return world;
}

export interface StrataResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StrataRun {
  child: ChildProcess;
  /** Everything written to stderr so far (progress-free: stderr is not a TTY). */
  stderr(): string;
  done: Promise<StrataResult>;
}

/** Starts `strata --endpoint-url <endpoint> --region us-east-1 <args>`; `done` settles at its exit. */
export function spawnStrata(world: S3World, args: string[], opts: { endpoint?: string; cwd?: string } = {}): StrataRun {
  const argv = [STRATA_BIN, '--endpoint-url', opts.endpoint ?? world.endpoint, '--region', REGION, ...args];
  const child = spawn(process.execPath, argv, { env: world.env, cwd: opts.cwd ?? world.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<StrataResult>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout: out, stderr: err }));
  });
  return { child, stderr: () => err, done };
}

export function strata(world: S3World, args: string[], opts: { endpoint?: string; cwd?: string } = {}): Promise<StrataResult> {
  return spawnStrata(world, args, opts).done;
}

/** NDJSON stdout as records. */
export function records(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Files a download left behind in `dir` besides `keep`: temp files are `.<name>.strata-<hex>.part`. */
export function strayFiles(dir: string, keep: string[] = []): string[] {
  return readdirSync(dir).filter((f) => !keep.includes(f));
}

/** Polls `cond` every 10 ms; fails after `timeoutMs` naming `what` (a bounded wait, never a sleep). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
