// The real executor: runs commands as child processes, without a shell, through the wait4
// helper (rusage-helper.ts) when python3 is available, else with Node's spawn measuring wall
// time only (user/sys/peak memory then come back null, and the command warns once).

import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { runtimeError } from '../errors.js';
import type { CommandSpec, Executor, RunResult } from './executor.js';
import { RUSAGE_HELPER_PY } from './rusage-helper.js';

interface ProcessExecutorOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Interpreter for the helper. @default $STRATA_PYTHON or 'python3' */
  python?: string;
}

const signalNames = new Map<number, string>(Object.entries(constants.signals).map(([k, v]) => [v as number, k]));

function cannotStart(cmd: CommandSpec, reason: string): Error {
  return runtimeError(
    'BENCH_CANNOT_START',
    `Cannot start \`${cmd.display}\`: ${reason}.`,
    'Check the program name and PATH, or pass --shell to run the command through /bin/sh.',
  );
}

interface HelperAnswer {
  ready?: boolean;
  floor?: number;
  wall: number;
  user: number;
  sys: number;
  rss: number;
  code: number | null;
  signal: number | null;
  error?: string;
}

class HelperExecutor implements Executor {
  readonly measuresResources = true;
  memoryFloorKb?: number;
  readonly #child: ChildProcess;
  readonly #requests: Writable;
  readonly #answers: AsyncIterator<string>;
  #dead: Error | null = null;

  constructor(child: ChildProcess) {
    this.#child = child;
    this.#requests = child.stdio[3] as Writable;
    this.#answers = createInterface({ input: child.stdio[4] as Readable })[Symbol.asyncIterator]();
    child.on('exit', () => {
      this.#dead ??= runtimeError('BENCH_HELPER_DIED', 'The measuring helper (python3) exited unexpectedly.');
    });
  }

  async ready(): Promise<boolean> {
    const first = await this.#answers.next();
    if (first.done) return false;
    const hello = JSON.parse(first.value) as HelperAnswer;
    this.memoryFloorKb = hello.floor;
    return hello.ready === true;
  }

  async run(cmd: CommandSpec, signal?: AbortSignal): Promise<RunResult> {
    if (this.#dead) throw this.#dead;
    const onAbort = () => this.#kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.#requests.write(JSON.stringify({ argv: cmd.argv, stdin: cmd.stdinFile ?? null, env: cmd.env ?? null }) + '\n');
      const line = await this.#answers.next();
      if (line.done) throw this.#dead ?? runtimeError('BENCH_HELPER_DIED', 'The measuring helper closed its pipe.');
      const a = JSON.parse(line.value) as HelperAnswer;
      if (a.error !== undefined) throw cannotStart(cmd, a.error);
      return {
        wallMs: a.wall,
        userMs: a.user,
        sysMs: a.sys,
        maxRssKb: a.rss,
        exitCode: a.code,
        signal: a.signal === null ? null : (signalNames.get(a.signal) ?? String(a.signal)),
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #kill(): void {
    // The helper leads its own process group, so the command it is timing dies with it.
    if (this.#child.pid !== undefined && this.#child.exitCode === null) {
      try {
        process.kill(-this.#child.pid, 'SIGKILL');
      } catch {
        this.#child.kill('SIGKILL');
      }
    }
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#requests.end();
    await exited;
  }
}

class SpawnExecutor implements Executor {
  readonly measuresResources = false;
  constructor(readonly opts: ProcessExecutorOptions) {}

  async run(cmd: CommandSpec, signal?: AbortSignal): Promise<RunResult> {
    const { openSync, closeSync } = await import('node:fs');
    const stdin = cmd.stdinFile ? openSync(cmd.stdinFile, 'r') : 'ignore';
    try {
      const t0 = process.hrtime.bigint();
      return await new Promise<RunResult>((resolve, reject) => {
        const child = spawn(cmd.argv[0], cmd.argv.slice(1), {
          cwd: this.opts.cwd,
          env: cmd.env ? { ...this.opts.env, ...cmd.env } : this.opts.env,
          stdio: [stdin, 'ignore', 'ignore'],
          signal,
        });
        child.once('error', (e: NodeJS.ErrnoException) => reject(e.name === 'AbortError' ? e : cannotStart(cmd, e.message)));
        child.once('exit', (code, sig) => {
          const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
          resolve({ wallMs, userMs: null, sysMs: null, maxRssKb: null, exitCode: code, signal: sig });
        });
      });
    } finally {
      if (typeof stdin === 'number') closeSync(stdin);
    }
  }

  async close(): Promise<void> {}
}

/** The wait4 helper when python3 runs here, else plain spawn (wall time only). */
export async function createProcessExecutor(opts: ProcessExecutorOptions): Promise<Executor> {
  const python = opts.python ?? opts.env.STRATA_PYTHON ?? 'python3';
  const child = spawn(python, ['-I', '-S', '-u', '-c', RUSAGE_HELPER_PY], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (started) {
    const helper = new HelperExecutor(child);
    if (await helper.ready()) return helper;
    await helper.close();
  }
  return new SpawnExecutor(opts);
}
