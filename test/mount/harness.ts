// Test harness for real mounts: s3rver on a random loopback port with its files in a temp dir,
// the mount in a child process (a sync call into a mount from the process serving it would
// deadlock), and shell commands run asynchronously.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll } from 'vitest';
import { isAlive } from '../../src/util/pid.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface S3rverHandle {
  endpoint: string;
  dir: string;
  /** Stops serving (connections refused) but keeps the files. */
  stop(): Promise<void>;
  /** Serves the same files again on `port`. */
  restart(port: number): Promise<void>;
  close(): Promise<void>;
}

export async function startS3rver(bucket: string): Promise<S3rverHandle> {
  const { default: S3rver } = await import('s3rver');
  const dir = await mkdtemp(join(tmpdir(), 'strata-s3rver-'));
  const start = async (port: number) => {
    const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
    return { server, addr: await server.run() };
  };
  let { server, addr } = await start(0);
  let running = true;
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    dir,
    async stop() {
      server.httpServer.closeAllConnections?.();
      await server.close();
      running = false;
    },
    async restart(port) {
      ({ server, addr } = await start(port));
      running = true;
    },
    async close() {
      if (running) {
        server.httpServer.closeAllConnections?.();
        await server.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// The bundle has to sit inside the repository: its external packages resolve from node_modules.
// It is removed when the test file is done (or, failing that, when the worker process exits), and
// bundles left by test processes that no longer run (killed runs) are removed at the next build.
const buildDir = join(here, '.build');
let bundled: Promise<string> | undefined;
let bundledFile: string | undefined;

function removeBundle(): void {
  if (bundledFile) rmSync(bundledFile, { force: true });
  bundledFile = undefined;
  bundled = undefined;
}

function removeDeadBundles(): void {
  let names: string[];
  try {
    names = readdirSync(buildDir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^serve-(\d+)\.mjs$/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !isAlive(Number(pid))) rmSync(join(buildDir, name), { force: true });
  }
}

afterAll(removeBundle);
const exitHook = Symbol.for('strata.test.mount.removeBundle');
if (!(globalThis as Record<symbol, unknown>)[exitHook]) {
  (globalThis as Record<symbol, unknown>)[exitHook] = true;
  process.once('exit', () => removeBundle());
}

/** Bundles the serve script once per test file, into test/mount/.build (packages stay external). */
export function serveScript(): Promise<string> {
  bundled ??= (async () => {
    removeDeadBundles();
    const out = join(buildDir, `serve-${process.pid}.mjs`);
    await mkdir(buildDir, { recursive: true });
    bundledFile = out;
    await build({ entryPoints: [join(here, 'fixtures', 'serve-mount.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', logLevel: 'error' });
    return out;
  })();
  return bundled;
}

export interface MountProcess {
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the DONE report after the child exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; report?: any }>;
}

export async function startMount(opts: Record<string, unknown>): Promise<MountProcess> {
  const script = await serveScript();
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', NODE_NO_WARNINGS: '1' };
  const child = spawn(process.execPath, [script, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; report?: any }>((resolve) =>
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('DONE '));
      resolve({ code, signal, report: line ? JSON.parse(line.slice(5)) : undefined });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes('READY\n')) {
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    exited.then(({ code, signal }) => reject(new Error(`mount exited early (${code ?? signal}): ${err}`)));
  });
  return { child, stderr: () => err, exited };
}

export function sh(command: string, opts: { timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export async function tempDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `strata-${name}-`));
}
