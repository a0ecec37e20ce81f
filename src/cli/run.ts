// run(argv, io) → exit code. Parses with the commander program built from the registry and
// hands the command to execute(). Some answers skip the parser because a shell waits on them:
// `--version`, `completion <shell>`, and the hidden `__complete` called on every Tab.
// Errors become one line (no stack unless --verbose) and the exit code CLI.md gives.

import type { Command } from 'commander';
import type { Parsed } from './program.js';
import { EXIT, StrataError, stoppedExit } from '../errors.js';
import { VERSION } from '../version.js';
import type { CommandDef, IO } from './types.js';
import { execute } from './execute.js';
import { visible, visibleLines } from '../output/visible.js';

export interface RunOptions {
  /** Aborted on Ctrl-C / SIGTERM by the launcher. */
  signal?: AbortSignal;
}

// Messages echo what the user gave (an expression, a key, a command name): their control
// characters are shown as escapes, never sent to the terminal raw.
function describe(err: unknown, verbose: boolean): { text: string; code: number } {
  if (err instanceof StrataError) {
    const hint = err.hint ? ` — ${visible(err.hint)}` : '';
    return { text: `strata: ${visible(err.message)}${hint}${verbose && err.stack ? `\n${visibleLines(err.stack)}` : ''}`, code: err.exitCode };
  }
  const e = err as Error;
  return { text: `strata: ${visible(e?.message ?? String(err))}${verbose && e?.stack ? `\n${visibleLines(e.stack)}` : ' (run with --verbose for details)'}`, code: EXIT.runtime };
}

/**
 * `__complete <kind> [prefix]` and `completion <shell>` with nothing else: their definition and
 * arguments, parsed by hand, so a Tab never waits for the whole CLI to load.
 */
async function directCompletion(argv: string[]): Promise<{ def: CommandDef; args: Record<string, unknown> } | undefined> {
  const plain = argv.slice(1).every((a) => !a.startsWith('-'));
  const complete = argv[0] === '__complete' && argv.length >= 2 && argv.length <= 3;
  const script = argv[0] === 'completion' && argv.length === 2;
  if (!plain || !(complete || script)) return undefined;
  const { completionCommands } = await import('../commands/completion.js');
  const def = completionCommands.find((d) => d.name === argv[0])!;
  return { def, args: complete ? { kind: argv[1], prefix: argv[2] } : { shell: argv[1] } };
}

export async function run(argv: string[], io: IO, options: RunOptions = {}): Promise<number> {
  const signal = options.signal ?? new AbortController().signal;
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(VERSION + '\n');
    return EXIT.ok;
  }
  let exitCode: number = EXIT.ok;
  try {
    const direct = await directCompletion(argv);
    if (direct) return await execute(direct.def, { raw: {}, opts: {}, args: direct.args }, io, signal, argv);
    const program = await buildFor(argv, io, async (def, parsed) => {
      exitCode = await execute(def, parsed, io, signal, argv);
    });
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    const { CommanderError } = await import('commander');
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      // commander has already printed its message through outputError
      return EXIT.usage;
    }
    if (signal.aborted) return stoppedExit(signal, false);
    // the reader went away before main.ts saw it: the output was cut short, as there
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return EXIT.runtime;
    const d = describe(err, verbose);
    io.stderr.write(d.text + '\n');
    return d.code;
  }
}

/** The commander program for the commands this argv can reach, printing through `io`. */
async function buildFor(argv: string[], io: IO, onCommand: (def: CommandDef, parsed: Parsed) => Promise<void>): Promise<Command> {
  const { programFor } = await import('./program.js');
  return programFor(argv, onCommand, {
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(`strata: ${visibleLines(s.replace(/^error: /, '').trim())} — see 'strata --help'\n`),
    getOutHelpWidth: () => io.columns ?? 100,
    getErrHelpWidth: () => io.columns ?? 100,
  });
}
