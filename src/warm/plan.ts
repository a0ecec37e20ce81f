// What to warm. Either a list (one strata command per line, `#` comments, an optional leading
// `strata`) or the usage log: each command line that ran successfully gets a weight that decays
// exponentially with age — a run `halfLife` ago counts half as much as one now — so lines read
// often AND recently rank first. Presentation flags (-o, --stats, --refresh ...) do not change
// what is read, so they are dropped before lines are compared.

import { splitShellWords } from '../bench/shell-words.js';
import { usageError } from '../errors.js';
import type { UsageEvent } from '../metrics/usage-log.js';
import { formatLine, isWarmable, parseCommandLine, type ParsedLine } from './command-line.js';

interface WarmItem {
  /** The command line, as a user would type it after `strata`. */
  line: string;
  argv: string[];
  /** Where it came from: `warm.txt line 3`, or `usage`. */
  source: string;
  /** Decayed weight (usage plans only). */
  weight?: number;
  runs?: number;
  lastAt?: number;
}

export interface PlannedItem extends WarmItem {
  parsed: ParsedLine;
}

/** A day: the rhythm of interactive use, so yesterday's habits count half as much as today's. */
export const DEFAULT_HALF_LIFE_MS = 24 * 3_600_000;
/** Lines weighing less than this (one run about 3 half-lives ago) are not worth a request. */
const DEFAULT_MIN_WEIGHT = 0.125;
/**
 * Upper bound on a usage plan: a person's working set of command lines. Replaying a week-long trace
 * of 40 lines, 25 left a tenth of the reads cold; 64 reached the trace's ceiling (bench warm).
 */
const DEFAULT_LIMIT = 64;

/** Flags that change how records are shown or whether the cache is used, never what is read. */
const PRESENTATION_FLAGS = new Set(['--stats', '--refresh', '--no-cache', '--progress', '--no-progress', '-q', '--quiet', '-v', '--verbose', '--keep-going']);
const PRESENTATION_VALUED = new Set(['-o', '--output', '--ttl', '--config', '--concurrency']);

export function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const flag = a.split('=')[0];
    if (PRESENTATION_FLAGS.has(a)) continue;
    if (PRESENTATION_VALUED.has(flag)) {
      if (!a.includes('=')) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Parses a list file's text; throws a usage error naming the first bad line. */
export async function parseList(text: string, file: string): Promise<PlannedItem[]> {
  const items: PlannedItem[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const where = `${file} line ${i + 1}`;
    let argv: string[];
    try {
      argv = splitShellWords(trimmed);
    } catch (err) {
      throw usageError('WARM_BAD_LINE', `${where}: ${(err as Error).message}`, 'close the quote');
    }
    if (argv[0] === 'strata') argv = argv.slice(1);
    items.push({ line: formatLine(argv), argv, source: where, parsed: await parseCommandLine(argv, where) });
  }
  return items;
}

interface RankOptions {
  now: number;
  /** @default DEFAULT_HALF_LIFE_MS */
  halfLifeMs?: number;
  /** @default DEFAULT_MIN_WEIGHT */
  minWeight?: number;
  /** @default DEFAULT_LIMIT */
  limit?: number;
}

/** Usage events → the heaviest warmable command lines, heaviest first (ties: most recent first). */
export function rankUsage(events: readonly UsageEvent[], opts: RankOptions): WarmItem[] {
  const halfLife = opts.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
  const byLine = new Map<string, WarmItem & { weight: number; runs: number; lastAt: number }>();
  for (const e of events) {
    if (e.exitCode !== 0 || !isWarmable(e.command) || !Array.isArray(e.argv) || e.t > opts.now) continue;
    const argv = normaliseArgv(e.argv);
    const line = formatLine(argv);
    const w = 0.5 ** ((opts.now - e.t) / halfLife);
    const item = byLine.get(line) ?? { line, argv, source: 'usage', weight: 0, runs: 0, lastAt: 0 };
    item.weight += w;
    item.runs++;
    item.lastAt = Math.max(item.lastAt, e.t);
    byLine.set(line, item);
  }
  return [...byLine.values()]
    .filter((i) => i.weight >= (opts.minWeight ?? DEFAULT_MIN_WEIGHT))
    .sort((a, b) => b.weight - a.weight || b.lastAt - a.lastAt)
    .slice(0, opts.limit ?? DEFAULT_LIMIT)
    .map((i) => ({ ...i, weight: Math.round(i.weight * 1000) / 1000 }));
}

/** Ranked usage lines, parsed; a line that no longer parses (a renamed flag) is skipped, not fatal. */
export async function planFromUsage(ranked: readonly WarmItem[], warn: (m: string) => void): Promise<PlannedItem[]> {
  const out: PlannedItem[] = [];
  for (const item of ranked) {
    try {
      out.push({ ...item, parsed: await parseCommandLine(item.argv, 'usage log') });
    } catch (err) {
      warn(`not warming \`${item.line}\` from the usage log: ${(err as Error).message}`);
    }
  }
  return out;
}
