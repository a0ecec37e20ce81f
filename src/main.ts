// Process wiring for bin/strata.js: real streams, Ctrl-C / SIGTERM (and a reader that goes away)
// as an AbortSignal, the exit code from run(). A second Ctrl-C exits at once.

import { run } from './cli/run.js';
import { BROKEN_PIPE, EXIT, INTERRUPTED, TERMINATED } from './errors.js';

/** After a broken pipe, how long the command may take to wind down before the process exits. */
const EPIPE_GRACE_MS = 5_000;

export async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort(new Error(sig === 'SIGINT' ? INTERRUPTED : TERMINATED));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' || controller.signal.aborted) return;
    // The reader has gone (`| head`): stop as on SIGTERM, so that work in flight still cleans up
    // (temp files, unfinished multipart uploads, the cached listings a write made stale), then
    // exit 1 — the output was cut short — silently.
    controller.abort(new Error(BROKEN_PIPE));
    setTimeout(() => process.exit(EXIT.runtime), EPIPE_GRACE_MS).unref();
  });
  await run(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stdout.columns,
  }, { signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`strata: ${err?.message ?? err}\n`);
      process.exitCode = 1;
    },
  );
  // The command is over and its output handed to the OS: exit now. Left to end by itself, Node
  // tears the whole heap down first — ~17 ms after a 10k-task listing, for nothing.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit();
}

/** Resolves once everything written to `stream` so far has reached the OS (or the stream is gone). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
