// A warm item is a strata command line. This module turns one into the command definition plus
// its parsed arguments and options, with the very program the CLI builds from the registry
// (src/cli/program.ts), so a line in a warm list means exactly what it means in a shell.
// Only commands that read through the cache can be warmed; anything else is refused by name.

import { CommanderError } from 'commander';
import { programFor, type Parsed } from '../cli/program.js';
import type { CommandDef } from '../cli/types.js';
import { usageError } from '../errors.js';

/** Commands whose records come from cached reads: what warming can refresh. */
const WARMABLE = ['ec2 ', 's3 buckets', 's3 ls', 's3 du', 'tasks ls', 'tasks stats'] as const;

export function isWarmable(command: string): boolean {
  return WARMABLE.some((w) => (w.endsWith(' ') ? command.startsWith(w) : command === w));
}

export interface ParsedLine extends Parsed {
  def: CommandDef;
}

/**
 * Parses argv (words after `strata`) as the CLI would. `where` names the line in messages,
 * e.g. `warm.txt line 3`. Throws a usage error for a parse error, an unknown command or one
 * that cannot be warmed.
 */
export async function parseCommandLine(argv: string[], where: string): Promise<ParsedLine> {
  let parsed: ParsedLine | undefined;
  let message = '';
  const program = await programFor(
    argv,
    async (def, p) => {
      parsed = { def, ...p };
    },
    { writeOut: () => undefined, writeErr: () => undefined, outputError: (s) => (message += s) },
  );
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
