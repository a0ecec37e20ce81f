// The shape of a command: data plus a run function (nushell's where_.rs is the model).
// One registry lists every definition; the commander program, --help, completions,
// docs/commands.md and the examples test are all generated from these objects.
// Definition files must stay light to import: heavy modules are loaded inside `run`.

import type { Readable, Writable } from 'node:stream';
import type { GlobalOptions } from './globals.js';

export type Rec = Record<string, unknown>;

/** What completion offers for an argument or option value. */
/** Completions answered at Tab time by `strata __complete <kind>` (src/cli/candidates.ts). */
export const DYNAMIC_KINDS = ['instance-id', 'volume-id', 'security-group-id', 'bucket', 's3-url', 'task-id', 'cache-key', 'region'] as const;
export type DynamicKind = (typeof DYNAMIC_KINDS)[number];

/** File and folder names come from the shell, fixed words are written into the script. */
export type CompletionKind = 'file' | 'dir' | DynamicKind | { values: readonly string[] };

export interface ArgDef {
  name: string;
  summary: string;
  required?: boolean;
  variadic?: boolean;
  complete?: CompletionKind;
}

export type OptionType = 'string' | 'number' | 'boolean' | 'list' | 'duration' | 'size' | 'endpoint-url' | 'fraction';

export interface OptionDef {
  /** commander flags, e.g. `-s, --status <status>` or `--recursive`. */
  flags: string;
  summary: string;
  type?: OptionType;
  default?: unknown;
  choices?: readonly string[];
  /** May be given more than once; values are collected into an array. */
  repeatable?: boolean;
  complete?: CompletionKind;
}

export interface Example {
  summary: string;
  /** argv after `strata`, e.g. ['count']. */
  argv: string[];
  stdin?: string;
  /** Records the example must produce (compared by the examples test). */
  expected?: Rec[];
  /** Working directory relative to the repository root (default: the root). */
  cwd?: string;
  /** Exit code the example must end with (default 0). */
  exitCode?: number;
  /** A long-running command: the examples test stops it (as Ctrl-C would) after this many ms. */
  stopAfterMs?: number;
  /** Needs a terminal (a live view): shown in help and docs, not run by the examples test. */
  interactive?: boolean;
}

export interface IO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdout/stderr are terminals (decides default output format and progress bars). */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Terminal width in columns, when known. */
  columns?: number;
}

export interface CommandContext {
  /** Positional arguments by name (variadic ones as string[]). */
  args: Record<string, any>;
  /** Command options by camelCase name, already typed (durations in ms, sizes in bytes). */
  opts: Record<string, any>;
  globals: GlobalOptions;
  /** The global flags as given on this command line (undefined when not given), before config and environment. */
  flags?: Record<string, unknown>;
  io: IO;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** Warn once on stderr (respects --quiet). */
  warn(message: string): void;
  /** Report a per-item failure: fails fast, or with --keep-going becomes an error record on stderr. */
  reportError(err: unknown, item?: Rec): void;
  /** Fail with `err` once every record is out, so the output stays whole (a JSON array is closed). */
  failAtEnd(err: unknown): void;
  /** Loaded configuration (file + env + flags), see src/config. */
  config: import('../config/schema.js').Config;
  /** Lazily created services; nothing heavy is loaded until first asked for. */
  services: import('./services.js').Services;
}

export interface CommandDef {
  /** Words after `strata`, e.g. 'ec2 instances', 'where', 'cache stats'. */
  name: string;
  aliases?: string[];
  summary: string;
  description?: string;
  args?: ArgDef[];
  options?: OptionDef[];
  /** Record shape read from stdin, as prose (e.g. 'any records'); absent when stdin is not read. */
  input?: string;
  /** Record shape written, as prose (field names). */
  output: string;
  examples?: Example[];
  hidden?: boolean;
  /**
   * Bad items (a broken task file) are always reported as error records on stderr and the
   * command goes on; the exit code stays 0 unless --keep-going or the command's own --strict.
   */
  tolerant?: boolean;
  /** Runs until stopped (a watch): piped output defaults to NDJSON, since a JSON array never closes. */
  endless?: boolean;
  /** Columns the table shows first, in this order; the rest follow while they fit. */
  columns?: string[];
  /**
   * Writes text, not records: each record's `text` goes to stdout as is, whatever --output says
   * (completion scripts, the hidden completion answers).
   */
  raw?: boolean | ((opts: Record<string, any>) => boolean);
  /** Holds every record before output (sort-by, group-by): said in --help. */
  collects?: boolean;
  run(ctx: CommandContext): AsyncIterable<Rec> | Promise<AsyncIterable<Rec>>;
}
