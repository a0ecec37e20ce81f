// The command an argv names, found without commander: the CLI uses it to build only the reachable
// part of the program, and the boot (src/boot/boot.ts) to pick the code cache of that command.

import { GLOBAL_OPTIONS } from './global-options.js';

/**
 * The first words of every command (the keys of the lazy registry, commands/registry.ts, which
 * the type there and a test hold to this list). Kept here, outside the registry, so that the boot
 * can tell a command from a typo without loading any command module.
 */
export const FIRST_WORDS = [
  'ec2', 's3', 'tasks', 'cache', 'mount', 'bench', 'perf',
  'where', 'select', 'sort-by', 'first', 'group-by', 'count', 'get',
  'completion', '__complete', '__docs',
] as const;

export type FirstWord = (typeof FIRST_WORDS)[number];

export function isFirstWord(word: string | undefined): word is FirstWord {
  return (FIRST_WORDS as readonly string[]).includes(word as string);
}

/**
 * Leading words of an argv: the command it names. Global options (and their values) are
 * skipped; any other option ends the name.
 */
export function commandWords(argv: string[]): string[] {
  const flags = new Map(GLOBAL_OPTIONS.flatMap((o) => (o.flags.match(/-{1,2}[\w-]+/g) ?? []).map((f) => [f, /[<[]/.test(o.flags)] as const)));
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('-')) {
      const takesValue = flags.get(a.split('=')[0]);
      if (takesValue === undefined) break; // a command's own option: the name has ended
      if (takesValue && !a.includes('=')) i++;
      continue;
    }
    words.push(a);
  }
  return words;
}
