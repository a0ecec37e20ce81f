import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { commandsFor, GROUP_OF } from '../../src/commands/registry.js';
import { commandWords, FIRST_WORDS } from '../../src/cli/command-words.js';
import { reachable } from '../../src/cli/program.js';

describe('the lazy registry', () => {
  it('knows the group of every command, and each group holds exactly the commands of its first words', async () => {
    const firstWords = [...new Set(COMMANDS.map((d) => d.name.split(' ')[0]))].sort();
    expect(Object.keys(GROUP_OF).sort()).toEqual(firstWords);
    expect([...FIRST_WORDS].sort()).toEqual(firstWords); // the boot's list of command words
    for (const word of firstWords) {
      const defs = await commandsFor(word);
      expect(defs.filter((d) => d.name.split(' ')[0] === word).map((d) => d.name)).toEqual(COMMANDS.filter((d) => d.name.split(' ')[0] === word).map((d) => d.name));
    }
  });

  it('completes every argument and option either statically or through a kind `__complete` answers', async () => {
    const { DYNAMIC_KINDS } = await import('../../src/cli/types.js');
    const kinds = COMMANDS.flatMap((d) => [...(d.args ?? []), ...(d.options ?? [])].map((a) => a.complete)).filter((k) => typeof k === 'string');
    for (const k of kinds) expect(['file', 'dir', ...DYNAMIC_KINDS]).toContain(k);
    const bench = COMMANDS.find((d) => d.name === 'bench')!;
    expect(bench.args?.[0].complete).toEqual({ values: ['cache', 'scheduler', 'startup', 'aws', 'tasks', 'mount', 'warm'] });
  });

  it('gives every command for a word it does not know (help, typos)', async () => {
    expect(await commandsFor('bogus')).toBe(COMMANDS);
    expect(await commandsFor(undefined)).toBe(COMMANDS);
  });
});

describe('the words of a command line', () => {
  it.each([
    [['ec2', 'instances', '--with', 'volumes'], ['ec2', 'instances']],
    [['-o', 'json', '--keep-going', 'ec2', 'instances'], ['ec2', 'instances']],
    [['--region=eu-west-1', '-q', 'tasks', 'ls', '--status', 'todo'], ['tasks', 'ls']],
    [['where', 'a', '==', '1'], ['where', 'a', '==', '1']],
    [['bench', 'cmd', '--', 'echo', 'x'], ['bench', 'cmd']],
    [['--help'], []],
  ])('%j names %j', (argv, words) => {
    expect(commandWords(argv)).toEqual(words);
  });

  it('reach the command and the commands under it', () => {
    const names = (words: string[]) => reachable(words, COMMANDS).map((d) => d.name);
    expect(names(['ec2', 'instances'])).toEqual(['ec2 instances']);
    expect(names(['where', 'a', '==', '1'])).toEqual(['where']);
    expect(names(['bench', 'startup'])).toEqual(['bench', 'bench cmd', 'bench compare']);
    expect(names(['nope'])).toHaveLength(COMMANDS.length);
  });
});
