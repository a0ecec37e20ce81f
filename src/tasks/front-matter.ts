// Splitting a task file into its YAML front matter and markdown body, and reading the front
// matter into a plain object. The fast reader handles what task files normally contain; the
// `yaml` package (loaded only when needed) handles the rest and names the line of any error.

import { createRequire as requireFrom } from 'node:module';
import { parseFastYaml } from './fast-yaml.js';
import type { TaskProblem } from './types.js';

export interface SplitFile {
  /** The YAML between the fences. */
  yaml: string;
  /** Offset in the text where the YAML starts (after the opening fence line). */
  yamlStart: number;
  /** Offset where the body starts (after the closing fence line). */
  bodyStart: number;
}

/** The opening fence, after a UTF-8 byte order mark if an editor wrote one (kept on rewrite). */
const OPEN = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;

/** Finds the opening and closing `---` fences. */
export function splitFrontMatter(text: string): SplitFile | 'no-front-matter' | 'unclosed' {
  const open = OPEN.exec(text);
  if (!open) return 'no-front-matter';
  const yamlStart = open[0].length;
  const rest = text.slice(yamlStart);
  const close = CLOSE.exec(rest);
  if (!close) return 'unclosed';
  return { yaml: rest.slice(0, close.index), yamlStart, bodyStart: yamlStart + close.index + close[0].length };
}

export type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;

/** The `yaml` package, imported on first need (it costs tens of ms to load). */
export async function loadYaml(): Promise<YamlModule> {
  if (!yamlModule) {
    // Bundlers may hand a CommonJS package over as `{ default: exports }` only.
    const mod = (await import('yaml')) as YamlModule & { default?: YamlModule };
    yamlModule = typeof mod.parseDocument === 'function' ? mod : mod.default!;
  }
  return yamlModule;
}

/**
 * The `yaml` package now, for the one synchronous caller: a task file read again because the
 * index turned out corrupt in the middle of a query or a listing (table.ts). Required from
 * node_modules (it ships CommonJS); everything else goes through `loadYaml`.
 */
export function loadYamlSync(): YamlModule {
  yamlModule ??= requireFrom(import.meta.url)('yaml') as YamlModule;
  return yamlModule;
}

export type ParsedFrontMatter = { data: Record<string, unknown> } | { problem: Omit<TaskProblem, 'path'> };

/**
 * Parses the front matter of a whole file (or of its head). Returns undefined when the text needs
 * the `yaml` package and it was not passed: the caller loads it (`loadYaml`) and asks again.
 */
export function parseTaskText(text: string, binary: boolean, YAML?: YamlModule): ParsedFrontMatter | undefined {
  if (binary) return { problem: { line: 1, reason: 'binary file (contains NUL bytes), not a markdown task' } };
  const split = splitFrontMatter(text);
  if (split === 'no-front-matter') return { problem: { line: 1, reason: "no front matter: a task file starts with a '---' line" } };
  if (split === 'unclosed') return { problem: { line: 1, reason: "front matter is not closed by a '---' line" } };
  const firstLine = 2;
  const empty = { problem: { line: firstLine, reason: 'front matter is empty, expected a mapping of task fields' } };
  if (split.yaml.trim() === '') return empty;
  if (!split.yaml.includes('\r')) {
    const fast = parseFastYaml(split.yaml);
    if (fast) return { data: fast };
  }
  if (!YAML) return undefined;
  const doc = YAML.parseDocument(split.yaml, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { problem: { line: (pos?.line ?? 1) + firstLine - 1, reason: `invalid YAML: ${message}${pos ? ` (column ${pos.col})` : ''}` } };
  }
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (value === null || value === undefined) return empty;
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    return { problem: { line: firstLine, reason: `front matter is ${kind}, not a mapping of task fields` } };
  }
  return { data: plainJson(value as Record<string, unknown>) };
}

/** Dates or other non-JSON values a custom YAML tag could produce become strings. */
function plainJson(obj: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    if (v instanceof Date) obj[k] = v.toISOString();
    else if (typeof v === 'bigint') obj[k] = Number(v);
  }
  return obj;
}

/** The 1-based line of a top-level key in a task file's text, or 1. */
export function lineOfKey(text: string, key: string): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${key}:`));
  return i === -1 ? 1 : i + 1;
}
