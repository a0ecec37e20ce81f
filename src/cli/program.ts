// Builds the commander program from the registry: groups from the first words of each name,
// arguments and typed options from the definition, examples in --help. Commander only parses;
// running is run.ts's job, through the `onCommand` callback.

import { Command, Option, type OutputConfiguration } from 'commander';
import type { CommandDef } from './types.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { VERSION } from '../version.js';
import { commandWords } from './command-words.js';
import { flagInfo, parserFor } from './options.js';

/** A command line once commander has parsed it: what execute() needs besides the definition. */
export interface Parsed {
  /** Global and command options as commander gives them (camelCase). */
  raw: Record<string, any>;
  /** The command's own options. */
  opts: Record<string, any>;
  args: Record<string, unknown>;
}

const camel = (s: string) => s.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** The parsed form of a command's action call (commander passes positionals, then the command). */
export function parsedFrom(def: CommandDef, cmd: Command, positional: unknown[]): Parsed {
  const raw = cmd.optsWithGlobals();
  const opts = cmd.opts();
  // A command option named like a global one (`cache invalidate --region`) is parsed by the
  // program; hand it to the command when it was typed on the command line.
  for (const o of def.options ?? []) {
    const name = camel(flagInfo(o.flags).long);
    if (opts[name] === undefined && cmd.getOptionValueSourceWithGlobals(name) === 'cli') opts[name] = raw[name];
  }
  const args: Record<string, unknown> = {};
  (def.args ?? []).forEach((a, i) => (args[a.name] = positional[i]));
  return { raw, opts, args };
}

/** Commands added with addCommand() inherit no settings: give every one the same output and exit override. */
export function configureAll(cmd: Command, output: OutputConfiguration): void {
  cmd.exitOverride().configureOutput(output);
  for (const sub of cmd.commands) configureAll(sub, output);
}

export type OnCommand = (def: CommandDef, cmd: Command, args: unknown[]) => Promise<void>;

function addOption(cmd: Command, def: import('./types.js').OptionDef): void {
  const opt = new Option(def.flags, def.summary);
  const parse = parserFor(def);
  if (parse) opt.argParser(parse);
  if (def.choices && def.type === undefined) opt.choices(def.choices as string[]);
  if (def.default !== undefined) opt.default(def.default);
  cmd.addOption(opt);
}

export function exampleHelp(def: CommandDef): string {
  if (!def.examples?.length) return '';
  const lines = ['', 'Examples:'];
  for (const ex of def.examples) {
    lines.push(`  # ${ex.summary}`);
    const cmd = `strata ${ex.argv.map((a) => (/[\s'"*|&<>()]/.test(a) ? `'${a}'` : a)).join(' ')}`;
    lines.push(`  ${ex.stdin !== undefined ? `echo '${ex.stdin.trim()}' | ` : ''}${cmd}`);
  }
  return lines.join('\n');
}

/**
 * The definitions a command name can reach: the command it names, with every command under that
 * name. Building only those keeps start-up lean; a name that matches nothing (help, a typo) gets
 * all of `defs`.
 */
export function reachable(words: string[], defs: CommandDef[]): CommandDef[] {
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    const hits = defs.filter((d) => d.name === name || d.name.startsWith(name + ' ') || d.aliases?.includes(name));
    if (hits.length > 0) return hits;
  }
  return defs;
}

/**
 * The program for the commands `argv` can reach (the CLI, and warm lists parsed as the CLI
 * would): `onCommand` gets the command run with its parsed options; `output` receives help and
 * errors.
 */
export async function programFor(argv: string[], onCommand: (def: CommandDef, parsed: Parsed) => Promise<void>, output: OutputConfiguration): Promise<Command> {
  const { commandsFor } = await import('../commands/registry.js');
  const words = commandWords(argv);
  const program = buildProgram(reachable(words, await commandsFor(words[0])), VERSION, (def, cmd, positional) => onCommand(def, parsedFrom(def, cmd, positional)));
  configureAll(program, output);
  return program;
}

export function buildProgram(defs: CommandDef[], version: string, onCommand: OnCommand): Command {
  const program = new Command('strata')
    .description('Nushell-style records from AWS and task files, through one cache and one scheduler.')
    .version(version, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .helpCommand(false);
  for (const g of GLOBAL_OPTIONS) addOption(program, g);

  const groups = new Map<string, Command>([['', program]]);
  const groupFor = (words: string[]): Command => {
    const path = words.join(' ');
    let group = groups.get(path);
    if (!group) {
      const parent = groupFor(words.slice(0, -1));
      group = parent.command(words[words.length - 1]).description(`${path} commands`);
      groups.set(path, group);
    }
    return group;
  };

  for (const def of defs) {
    const words = def.name.split(' ');
    // A name that is also a group (`bench` and `bench cmd`) becomes the group's default
    // subcommand, so the group's own options and its subcommands' options both parse.
    const isGroup = defs.some((d) => d.name.startsWith(def.name + ' '));
    const parent = isGroup ? groupFor(words) : groupFor(words.slice(0, -1));
    const cmd = new Command(isGroup ? 'run' : words[words.length - 1]).description(def.summary);
    if (def.description) cmd.description(`${def.summary}\n\n${def.description}`).summary(def.summary);
    for (const alias of def.aliases ?? []) cmd.alias(alias);
    for (const arg of def.args ?? []) {
      const name = arg.variadic ? `${arg.name}...` : arg.name;
      cmd.argument(arg.required ? `<${name}>` : `[${name}]`, arg.summary);
    }
    for (const opt of def.options ?? []) addOption(cmd, opt);
    const notes = [
      def.input ? `\nReads: ${def.input} (JSON array or NDJSON on stdin)` : '',
      `\nWrites: ${def.output}`,
      def.collects ? '\nHolds every record in memory before writing.' : '',
      exampleHelp(def),
    ].join('');
    cmd.addHelpText('after', notes);
    cmd.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      await onCommand(def, self, params.slice(0, -2));
    });
    if (isGroup) parent.description(def.summary);
    parent.addCommand(cmd, { hidden: def.hidden, isDefault: isGroup });
  }
  return program;
}
