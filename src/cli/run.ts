// run(argv, io) → exit code. Parses with the program built from the registry, loads config,
// runs the command, renders its records, turns errors into one line and an exit code (CLI.md):
// 0 ok, 1 runtime error or partial failure with --keep-going, 2 usage error, 130 interrupted.

import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { EXIT, StrataError } from '../errors.js';
import { VERSION } from '../version.js';
import { buildProgram, reachable } from './program.js';
import { COMMANDS } from '../commands/index.js';
import type { CommandContext, CommandDef, IO, Rec } from './types.js';
import { resolveGlobals } from './resolve-globals.js';
import { flagInfo } from './options.js';
import { loadConfig } from '../config/load.js';
import { createServices } from './services.js';
import { Sink } from '../output/sink.js';
import { loadRenderer, renderText } from '../output/renderers.js';
import { publishCommand, type CommandEvent } from '../metrics/channels.js';
import { Metrics } from '../metrics/metrics.js';
import { subscribeUsageLog } from '../metrics/usage-log.js';
import { renderStats } from '../metrics/stats-render.js';

export interface RunOptions {
  /** Aborted on Ctrl-C / SIGTERM by the launcher. */
  signal?: AbortSignal;
}

function describe(err: unknown, verbose: boolean): { text: string; code: number } {
  if (err instanceof StrataError) {
    const hint = err.hint ? ` — ${err.hint}` : '';
    return { text: `strata: ${err.message}${hint}${verbose && err.stack ? `\n${err.stack}` : ''}`, code: err.exitCode };
  }
  const e = err as Error;
  return { text: `strata: ${e?.message ?? String(err)}${verbose && e?.stack ? `\n${e.stack}` : ' (run with --verbose for details)'}`, code: EXIT.runtime };
}

export async function run(argv: string[], io: IO, options: RunOptions = {}): Promise<number> {
  const signal = options.signal ?? new AbortController().signal;
  let exitCode: number = EXIT.ok;
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const writeErr = (s: string) => {
    io.stderr.write(s.endsWith('\n') ? s : s + '\n');
  };

  const execute = async (def: CommandDef, cmd: Command, positional: unknown[]) => {
    const started = monotonicMs();
    const raw = cmd.optsWithGlobals();
    const { config } = await loadConfig({ file: raw.config, env: io.env, cwd: io.cwd });
    const globals = resolveGlobals(raw, config, io);
    const warned = new Set<string>();
    const warn = (m: string) => {
      if (globals.quiet || warned.has(m)) return;
      warned.add(m);
      writeErr(`strata: warning: ${m}`);
    };
    let failures = 0;
    const metrics = new Metrics();
    const unsubscribe = [metrics.subscribe()];
    if (!def.hidden) {
      unsubscribe.push(subscribeUsageLog(config.cache.dir, { metrics, onError: () => warn(`cannot write the usage log in ${config.cache.dir}`) }));
    }
    const services = createServices(config, globals, warn);
    const args: Record<string, unknown> = {};
    (def.args ?? []).forEach((a, i) => (args[a.name] = positional[i]));
    const opts = cmd.opts();
    // A command option named like a global one (`cache invalidate --region`) is parsed by the
    // program; hand it to the command when it was typed on the command line.
    for (const o of def.options ?? []) {
      const name = camel(flagInfo(o.flags).long);
      if (opts[name] === undefined && cmd.getOptionValueSourceWithGlobals(name) === 'cli') opts[name] = raw[name];
    }
    const ctx: CommandContext = {
      args,
      opts,
      globals,
      io,
      signal,
      config,
      services,
      warn,
      reportError(err, item) {
        if (!globals.keepGoing && !def.tolerant) throw err;
        if (globals.keepGoing) failures++;
        const e = err as StrataError;
        const record = { error: { code: e?.code ?? 'ERROR', message: e?.message ?? String(err), ...(item ?? {}) } };
        io.stderr.write(JSON.stringify(record) + '\n');
      },
    };
    try {
      const records = await def.run(ctx);
      const renderer = def.raw ? renderText : await loadRenderer(globals.output);
      const sink = new Sink(io.stdout);
      try {
        await renderer(stopOnAbort(records, signal), sink, { columns: io.columns, tty: io.stdoutIsTTY, preferred: def.columns });
      } finally {
        // records produced before a failure still reach the reader
        await sink.flush();
      }
      // stopped cleanly: by SIGTERM that is a normal end (0), by Ctrl-C an interruption (130)
      if (signal.aborted) exitCode = (signal.reason as Error)?.message === 'terminated' ? EXIT.ok : EXIT.interrupted;
      else if (failures > 0) exitCode = EXIT.runtime;
    } catch (err) {
      exitCode = signal.aborted ? EXIT.interrupted : err instanceof StrataError ? err.exitCode : EXIT.runtime;
      throw err;
    } finally {
      await services.close();
      const ms = monotonicMs() - started;
      publishCommand({ command: def.name, argv, ms, exitCode, answeredBy: answeredBy(metrics) });
      for (const stop of unsubscribe) stop();
      if (globals.stats) io.stderr.write(renderStats(metrics.snapshot(), ms));
    }
  };

  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(VERSION + '\n');
    return EXIT.ok;
  }
  let program: Command;
  try {
    program = buildProgram(reachable(argv, COMMANDS), VERSION, execute);
  } catch (err) {
    const d = describe(err, true);
    writeErr(d.text);
    return EXIT.runtime;
  }
  const output: Parameters<Command['configureOutput']>[0] = {
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(`strata: ${s.replace(/^error: /, '').trim()} — see 'strata --help'\n`),
    getOutHelpWidth: () => io.columns ?? 100,
    getErrHelpWidth: () => io.columns ?? 100,
  };
  // commands added with addCommand() do not inherit these: set them on every one
  const configure = (cmd: Command) => {
    cmd.exitOverride().configureOutput(output);
    cmd.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      // commander has already printed its message through outputError
      return EXIT.usage;
    }
    if (signal.aborted) return EXIT.interrupted;
    if (isBrokenPipe(err)) return EXIT.ok;
    const d = describe(err, verbose);
    writeErr(d.text);
    return d.code;
  }
}

/** Which tier answered this run's reads: upstream when any request went out. */
function answeredBy(metrics: Metrics): CommandEvent['answeredBy'] {
  const s = metrics.snapshot();
  const upstream = Object.values(s.operations).some((o) => o.total > 0);
  const tiers = (['memory', 'disk', 'redis'] as const).filter((t) => (s.cache[t]?.hit ?? 0) > 0);
  if (upstream) return tiers.length ? 'mixed' : 'upstream';
  return tiers.length === 1 ? tiers[0] : tiers.length > 1 ? 'mixed' : undefined;
}

/** Milliseconds from a monotonic clock, without loading perf_hooks at start-up. */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

const camel = (s: string) => s.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EPIPE';
}

async function* stopOnAbort(records: AsyncIterable<Rec>, signal: AbortSignal): AsyncIterable<Rec> {
  for await (const rec of records) {
    if (signal.aborted) return;
    yield rec;
  }
}
