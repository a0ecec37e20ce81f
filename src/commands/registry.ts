// The registry as the launcher sees it: command groups loaded on demand, so a run imports the
// definitions of the command it names and no others. src/commands/index.ts lists every command
// at once (docs, completions, tests); a test keeps the two in step.

import type { CommandDef } from '../cli/types.js';
import { isFirstWord, type FirstWord } from '../cli/command-words.js';

type Group = () => Promise<CommandDef[]>;

const ec2: Group = () => import('./ec2.js').then((m) => m.ec2Commands);
const s3: Group = () => import('./s3.js').then((m) => m.s3Commands);
const tasks: Group = () => import('./tasks.js').then((m) => m.tasksCommands);
const cache: Group = () => import('./cache.js').then((m) => m.cacheCommands);
const mount: Group = () => import('./mount.js').then((m) => m.mountCommands);
const bench: Group = () => import('./bench.js').then((m) => m.benchCommands);
const perf: Group = () => import('./perf.js').then((m) => m.perfCommands);
const pipeline: Group = () => import('./pipeline.js').then((m) => m.pipelineCommands);
const completion: Group = () => import('./completion.js').then((m) => m.completionCommands);
const docs: Group = () => import('./docs.js').then((m) => m.docsCommands);

/** The group that defines each first word of a command name (every word of FIRST_WORDS, no other). */
export const GROUP_OF: Readonly<Record<FirstWord, Group>> = {
  ec2, s3, tasks, cache, mount, bench, perf,
  where: pipeline, select: pipeline, 'sort-by': pipeline, first: pipeline, 'group-by': pipeline, count: pipeline, get: pipeline,
  completion, __complete: completion,
  __docs: docs,
};

/** The definitions an argv's first word can reach; every command when it names none. */
export async function commandsFor(firstWord: string | undefined): Promise<CommandDef[]> {
  const group = isFirstWord(firstWord) ? GROUP_OF[firstWord] : undefined;
  if (group) return group();
  const { COMMANDS } = await import('./index.js');
  return COMMANDS;
}
