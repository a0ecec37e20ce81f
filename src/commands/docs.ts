// Hidden `__docs`: prints docs/commands.md or a completion script, for `npm run docs`.

import type { CommandDef } from '../cli/types.js';

const docs: CommandDef = {
  name: '__docs',
  summary: 'Print the generated command reference (used by npm run docs)',
  hidden: true,
  output: 'markdown text',
  raw: true,
  async *run() {
    const { commandsMarkdown } = await import('../cli/docs.js');
    const { COMMANDS } = await import('./index.js');
    yield { text: commandsMarkdown(COMMANDS) };
  },
};

export const docsCommands: CommandDef[] = [docs];
