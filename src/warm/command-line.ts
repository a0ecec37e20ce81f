// A warm item is a strata command line. This module turns one into the command definition plus
// its parsed arguments and options, with the very program the CLI builds from the registry
// (src/cli/program.ts), so a line in a warm list means exactly what it means in a shell.
// Only commands that read through the cache can be warmed; anything else is refused by name.

import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../cli/program.js';
import { flagInfo } from '../cli/options.js';
import type { CommandDef } from '../cli/types.js';
import { usageError } from '../errors.js';
import { VERSION } from '../version.js';

/** Commands whose records come from cached reads: what warming can refresh. */
export const WARMABLE = ['ec2 ', 's3 buckets', 's3 ls', 's3 du', 'tasks ls', 'tasks stats'] as const;

export function isWarmable(command: string): boolean {
  return WARMABLE.some((w) => (w.endsWith(' ') ? command.startsWith(w) : command === w));
}

export interface ParsedLine {
  def: CommandDef;
  /** Program and command options together (commander's optsWithGlobals). */
  raw: Record<string, any>;
  /** The command's own options, typed. */
  opts: Record<string, any>;
  args: Record<string, unknown>;
}

const camel = (s: string) => s.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/**
 * Parses argv (words after `strata`) as the CLI would. `where` names the line in messages,
 * e.g. `warm.txt line 3`. Throws a usage error for a parse error, an unknown command or one
 * that cannot be warmed.
 */
export async function parseCommandLine(argv: string[], where: string): Promise<ParsedLine> {
  const { COMMANDS } = await import('../commands/index.js');
  let parsed: ParsedLine | undefined;
  let message = '';
  const program = buildProgram(COMMANDS, VERSION, async (def, cmd, positional) => {
    const opts = cmd.opts();
    const raw = cmd.optsWithGlobals();
    for (const o of def.options ?? []) {
      const name = camel(flagInfo(o.flags).long);
      if (opts[name] === undefined && cmd.getOptionValueSourceWithGlobals(name) === 'cli') opts[name] = raw[name];
    }
    const args: Record<string, unknown> = {};
    (def.args ?? []).forEach((a, i) => (args[a.name] = positional[i]));
    parsed = { def, raw, opts, args };
  });
  // Settings are inherited only by commands added later, so each command of the built tree gets them.
  const quiet = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: (s) => (message += s) });
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const why = message.replace(/^error: /, '').trim() || err.message;
      throw usageError('WARM_BAD_LINE', `${where}: \`${argv.join(' ')}\` is not a strata command line (${why})`, 'write one strata command per line, e.g. `ec2 instances --region eu-west-1`');
    }
    const e = err as Error & { hint?: string };
    throw usageError('WARM_BAD_LINE', `${where}: ${e.message}`, e.hint ?? 'fix the line');
  }
  if (!parsed) {
    throw usageError('WARM_UNKNOWN_COMMAND', `${where}: unknown command \`${argv.join(' ')}\``, `give a strata command that reads, e.g. ${WARMABLE.map((w) => `\`${w.trim()}\``).join(', ')}`);
  }
  if (!isWarmable(parsed.def.name)) {
    throw usageError('WARM_NOT_A_READ', `${where}: \`${parsed.def.name}\` does not read through the cache, so it cannot be warmed`, `warm one of ${WARMABLE.map((w) => `\`${w.trim()}\``).join(', ')}`);
  }
  return parsed;
}

export { formatLine } from './line-format.js';
