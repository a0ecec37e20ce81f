// Runs the CLI in process with captured streams: what a command writes, its exit code.

import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/cli/run.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  opts: { stdin?: string | Readable; env?: NodeJS.ProcessEnv; cwd?: string; tty?: boolean; signal?: AbortSignal } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const stdin = typeof opts.stdin === 'string' || opts.stdin === undefined ? Readable.from([opts.stdin ?? '']) : opts.stdin;
  const code = await run(argv, {
    stdin,
    stdout,
    stderr,
    env: opts.env ?? { HOME: '/nonexistent-home', STRATA_CACHE_DIR: '/tmp/strata-test-cache' },
    cwd: opts.cwd ?? process.cwd(),
    stdoutIsTTY: opts.tty ?? false,
    stderrIsTTY: false,
    columns: 100,
  }, { signal: opts.signal });
  return { code, stdout: out, stderr: err };
}
