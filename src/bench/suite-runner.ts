// Runs registered suites in this process, one after another, each in its own scratch directory,
// and gathers their figures into one results document.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { buildDocument, figureResult, type FigureResult, type ResultsDocument } from './results.js';
import { suiteEntries, type SuiteEntry } from './suites/index.js';
import type { Suite } from './types.js';

interface RunSuitesOptions {
  quick: boolean;
  signal: AbortSignal;
  log(message: string): void;
  cwd: string;
  now(): number;
  /** Registry to draw from (tests pass their own). @default suiteEntries */
  registry?: readonly SuiteEntry[];
}

export function resolveSuites(names: readonly string[], registry: readonly SuiteEntry[] = suiteEntries): SuiteEntry[] {
  if (names.length === 0) return [...registry];
  return names.map((n) => {
    const e = registry.find((s) => s.name === n);
    if (!e) {
      throw usageError('BENCH_UNKNOWN_SUITE', `No benchmark suite named \`${n}\`.`, `Known suites: ${registry.map((s) => s.name).join(', ')}.`);
    }
    return e;
  });
}

export async function runSuites(names: readonly string[], opts: RunSuitesOptions): Promise<ResultsDocument> {
  const entries = resolveSuites(names, opts.registry);
  const figures: FigureResult[] = [];
  for (const entry of entries) {
    if (opts.signal.aborted) break;
    const suite: Suite = (await entry.load()).suite;
    const tmpDir = await mkdtemp(join(tmpdir(), `strata-bench-${suite.name}-`));
    try {
      opts.log(`suite ${suite.name}: ${suite.summary}`);
      const figs = await suite.run({ tmpDir, quick: opts.quick, signal: opts.signal, log: opts.log });
      figures.push(...figs.map((f) => figureResult(suite.name, f)));
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }
  return buildDocument(entries.map((e) => e.name), figures, { cwd: opts.cwd, now: opts.now() });
}
