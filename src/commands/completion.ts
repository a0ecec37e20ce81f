// `strata completion bash|zsh|fish` prints the script generated from the registry; the hidden
// `__complete <kind> [prefix]` answers resource ids for it from the cache only (never the AWS
// SDK, never the network): it may answer nothing until the cache holds the data.

import { DYNAMIC_KINDS, type CommandDef } from '../cli/types.js';
import { usageError } from '../errors.js';

const KINDS: readonly string[] = DYNAMIC_KINDS;

/** completions/strata.<shell> of this package (src/commands and dist/lib are both two levels down). */
async function readShipped(shell: string): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(new URL(`../../completions/strata.${shell}`, import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

const completion: CommandDef = {
  name: 'completion',
  summary: 'Print the shell completion script',
  args: [{ name: 'shell', summary: 'bash, zsh or fish', required: true, complete: { values: ['bash', 'zsh', 'fish'] } }],
  output: 'the script, as text',
  raw: true,
  examples: [{ summary: 'install for bash', argv: ['completion', 'bash'] }],
  async *run(ctx) {
    const shell = ctx.args.shell as string;
    if (!['bash', 'zsh', 'fish'].includes(shell)) throw usageError('BAD_ARGUMENT', `no completion for shell '${shell}'`, 'use bash, zsh or fish');
    // The scripts are generated from the registry at release time (npm run docs) and a test
    // keeps them equal to what the registry generates now; printing the file spares loading it.
    const shipped = await readShipped(shell);
    if (shipped !== undefined) {
      yield { text: shipped };
      return;
    }
    const { SHELLS } = await import('../cli/completions.js');
    const { COMMANDS } = await import('./index.js');
    yield { text: SHELLS[shell as keyof typeof SHELLS](COMMANDS) };
  },
};

const complete: CommandDef = {
  name: '__complete',
  summary: 'Answer completion candidates from the cache (used by the completion scripts)',
  hidden: true,
  args: [
    { name: 'kind', summary: KINDS.join(', '), required: true },
    { name: 'prefix', summary: 'what has been typed so far' },
  ],
  output: 'lines of `value<TAB>description`',
  raw: true,
  async *run(ctx) {
    const kind = ctx.args.kind as string;
    if (!KINDS.includes(kind)) throw usageError('BAD_ARGUMENT', `unknown completion kind '${kind}'`, `use one of ${KINDS.join(', ')}`);
    const { candidates } = await import('../cli/candidates.js');
    let text = '';
    for await (const c of candidates(kind, String(ctx.args.prefix ?? ''), ctx)) {
      text += c.description ? `${c.value}\t${c.description}\n` : `${c.value}\n`;
    }
    yield { text };
  },
};

export const completionCommands: CommandDef[] = [completion, complete];
