// The results document: one JSON file per benchmark run, self-describing enough to compare
// later on another machine (machine, Node version, git commit, date) and holding every sample,
// so a comparison can resample instead of trusting stored summaries. Summaries are stored too,
// for readers that only format (scripts/perf-docs.mjs).

import { execFile } from 'node:child_process';
import os from 'node:os';
import { usageError } from '../errors.js';
import { summarize, type Summary } from './stats.js';
import type { Figure } from './types.js';

export const RESULTS_SCHEMA = 'strata-bench/1';

interface Machine {
  hostname: string;
  platform: string;
  release: string;
  arch: string;
  cpuModel: string;
  cpus: number;
  memoryBytes: number;
}

export interface FigureResult extends Figure {
  suite: string;
  summary: Summary;
}

export interface ResultsDocument {
  schema: typeof RESULTS_SCHEMA;
  date: string;
  machine: Machine;
  node: string;
  commit: string | null;
  suites: string[];
  figures: FigureResult[];
}

function machineInfo(): Machine {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryBytes: os.totalmem(),
  };
}

/** HEAD of the git repository at cwd, or null outside one. */
function gitCommit(cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd, timeout: 5000 }, (err, stdout) => {
      resolve(err ? null : stdout.trim() || null);
    });
  });
}

export function figureResult(suite: string, f: Figure): FigureResult {
  return { suite, ...f, summary: summarize(f.samples) };
}

export async function buildDocument(
  suites: string[],
  figures: FigureResult[],
  env: { cwd: string; now: number },
): Promise<ResultsDocument> {
  return {
    schema: RESULTS_SCHEMA,
    date: new Date(env.now).toISOString(),
    machine: machineInfo(),
    node: process.version,
    commit: await gitCommit(env.cwd),
    suites,
    figures,
  };
}

/** Checks a parsed document enough for compare to trust it; `source` names it in messages. */
export function validateDocument(value: unknown, source: string): ResultsDocument {
  const bad = (what: string) =>
    usageError(
      'BENCH_BAD_RESULTS',
      `${source} is not a strata results document: ${what}.`,
      'Pass a file written by `strata bench --export-json <file>` or `strata bench cmd --export-json <file>`.',
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('expected a JSON object');
  const doc = value as Partial<ResultsDocument>;
  if (doc.schema !== RESULTS_SCHEMA) throw bad(`schema is ${JSON.stringify(doc.schema)}, expected "${RESULTS_SCHEMA}"`);
  if (!Array.isArray(doc.suites) || !Array.isArray(doc.figures)) throw bad('"suites" and "figures" must be arrays');
  doc.figures.forEach((f, i) => {
    const ok =
      f && typeof f.name === 'string' && typeof f.suite === 'string' && typeof f.unit === 'string' &&
      (f.better === 'lower' || f.better === 'higher') && Array.isArray(f.samples) && f.samples.length > 0 &&
      f.samples.every((x: unknown) => typeof x === 'number' && Number.isFinite(x));
    if (!ok) throw bad(`figure #${i + 1} needs suite, name, unit, better (lower|higher) and a non-empty list of numeric samples`);
  });
  return doc as ResultsDocument;
}
