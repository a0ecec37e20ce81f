// A real redis-server on a free loopback port, started and stopped by the test.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach } from 'vitest';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisProcess {
  url: string;
  /** SIGSTOP: the server keeps its connections but stops answering. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Starts redis-server on `port` (a free one when not given) and waits until it accepts connections. */
export async function startRedis(port?: number): Promise<RedisProcess> {
  port ??= await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(); // already gone
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** For a test file: a function that starts a redis-server, each one stopped after its test. */
export function redisPerTest(): () => Promise<RedisProcess> {
  const started: RedisProcess[] = [];
  afterEach(async () => {
    for (const r of started.splice(0)) await r.stop();
  });
  return async () => {
    const r = await startRedis();
    started.push(r);
    return r;
  };
}
