// `strata bench`, `bench cmd`, `bench compare`. Definitions stay light to import: the runner,
// executors, statistics and suites are loaded inside run().

import type { CommandContext, CommandDef, OptionDef, Rec } from '../cli/types.js';
import { join } from 'node:path';
import { suiteEntries } from '../bench/suites/index.js';

const exportOptions: OptionDef[] = [
  { flags: '--export-json <file>', summary: 'write the results document (what `bench compare` reads)', complete: 'file' },
  { flags: '--export-markdown <file>', summary: 'write the results as Markdown tables', complete: 'file' },
  { flags: '--export-csv <file>', summary: 'write one CSV row per figure', complete: 'file' },
];

/** Where `bench` keeps every results document, so `bench compare <baseline>` finds the newest. */
export const resultsDir = (cacheDir: string) => join(cacheDir, 'bench');

async function exportAll(ctx: CommandContext, doc: import('../bench/results.js').ResultsDocument): Promise<void> {
  const { exportDocument } = await import('../bench/export.js');
  const targets = [['json', ctx.opts.exportJson], ['markdown', ctx.opts.exportMarkdown], ['csv', ctx.opts.exportCsv]] as const;
  for (const [format, file] of targets) if (file) await exportDocument(doc, format, file);
}

function figureRecord(f: import('../bench/results.js').FigureResult): Rec {
  const s = f.summary;
  const r = (x: number) => Number(x.toPrecision(6));
  return {
    suite: f.suite, figure: f.name, unit: f.unit, better: f.better, n: s.n,
    median: r(s.median), p95: r(s.p95), min: r(s.min), max: r(s.max), mean: r(s.mean), stddev: r(s.stddev),
    outliers: s.outliers.length, ...(f.target ? { target: f.target } : {}),
  };
}

const benchSuites: CommandDef = {
  name: 'bench',
  summary: 'Run the built-in benchmark suites in this process and report every figure.',
  description:
    'With no suite names, runs them all. The results document (machine, Node version, git commit, date, all samples) ' +
    'is saved under <cache dir>/bench/ and can be exported; `bench compare` judges it against a baseline.',
  args: [{ name: 'suite', summary: 'suites to run (default: all)', variadic: true, complete: { values: suiteEntries.map((s) => s.name) } }],
  options: [{ flags: '--quick', summary: 'fewer samples and smaller data, for a fast check' }, ...exportOptions],
  output: 'one record per figure: suite, figure, unit, better, n, median, p95, min, max, mean, stddev, outliers, target',
  examples: [{ summary: 'measure start-up time quickly', argv: ['bench', 'startup', '--quick'] }],
  async *run(ctx) {
    const { runSuites } = await import('../bench/suite-runner.js');
    const { writeFileAtomic } = await import('../util/atomic-write.js');
    const { mkdir } = await import('node:fs/promises');
    const doc = await runSuites((ctx.args.suite as string[] | undefined) ?? [], {
      quick: Boolean(ctx.opts.quick),
      signal: ctx.signal,
      log: (m) => void (ctx.globals.quiet || ctx.io.stderr.write(`strata bench: ${m}\n`)),
      cwd: ctx.io.cwd,
      now: () => Date.now(),
    });
    const dir = resultsDir(ctx.config.cache.dir);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, `results-${doc.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(doc));
    await exportAll(ctx, doc);
    for (const f of doc.figures) yield figureRecord(f);
  },
};

const benchCmd: CommandDef = {
  name: 'bench cmd',
  summary: 'Benchmark any command as whole processes (hyperfine-style): wall, user, system time and peak memory.',
  description:
    'Spawns the command without a shell (unless --shell) through a wait4 helper, so CPU time and peak RSS are exact. ' +
    'Without --runs it runs until both --min-runs (10) and --min-time (3s) are reached. --vs runs a second command ' +
    'alternately (A B A B …) and reports the A/B ratio of each pair. --prepare, --setup and --cleanup run through /bin/sh.',
  args: [{ name: 'command', summary: 'the command and its arguments (after --), or one quoted string', required: true, variadic: true }],
  options: [
    { flags: '-r, --runs <n>', summary: 'exact number of timed runs', type: 'number' },
    { flags: '-w, --warmup <n>', summary: 'untimed runs first (default 0)', type: 'number' },
    { flags: '-m, --min-runs <n>', summary: 'fewest timed runs without --runs (default 10)', type: 'number' },
    { flags: '-M, --max-runs <n>', summary: 'most timed runs without --runs', type: 'number' },
    { flags: '--min-time <duration>', summary: 'keep running until this much time was measured (default 3s)', type: 'duration' },
    { flags: '--vs <command>', summary: 'a second command, run alternately with the first' },
    { flags: '-S, --shell', summary: 'run the commands through /bin/sh -c' },
    { flags: '-p, --prepare <command>', summary: 'run before every timed run (not timed)' },
    { flags: '-s, --setup <command>', summary: 'run once before the runs of each parameter set' },
    { flags: '-c, --cleanup <command>', summary: 'run once after the runs of each parameter set' },
    { flags: '-P, --param <name=values>', summary: 'scan a parameter: name=a,b,c or name=1..5; {name} in commands', repeatable: true },
    { flags: '-i, --ignore-failure', summary: 'keep measuring when the command exits non-zero (failures are counted)' },
    { flags: '--input <file>', summary: "file connected to the command's stdin (default /dev/null)", complete: 'file' },
    ...exportOptions,
  ],
  output:
    'per command: command, parameters, runs, medianMs, meanMs, stddevMs, minMs, maxMs, p95Ms, userMs, systemMs, peakMemoryKb, outliers, failures; ' +
    'per --vs pair: command, pairs, ratioMedian, ratioCiLow, ratioCiHigh, ratioMin, ratioMax, faster',
  examples: [
    { summary: 'time a command', argv: ['bench', 'cmd', '--runs', '20', '--', 'sleep', '0.01'] },
    { summary: 'A/B two commands, alternated', argv: ['bench', 'cmd', '--runs', '10', '--vs', 'node -e 0', '--', 'true'] },
  ],
  async *run(ctx) {
    const { CmdBench } = await import('../bench/cmd-runner.js');
    const { createProcessExecutor } = await import('../bench/process-executor.js');
    const { cmdRecords, cmdFigures } = await import('../bench/cmd-report.js');
    const { buildDocument } = await import('../bench/results.js');
    const o = ctx.opts;
    if (o.input !== undefined) {
      // checked here: a missing --input would otherwise read as the command failing to start
      const [{ statSync }, { usageError }] = await Promise.all([import('node:fs'), import('../errors.js')]);
      const st = statSync(o.input, { throwIfNoEntry: false });
      if (!st || st.isDirectory()) throw usageError('BENCH_BAD_INPUT', `--input ${o.input} ${st ? 'is a folder' : 'does not exist'}`, 'give a readable file to feed the command on stdin');
    }
    const exec = await createProcessExecutor({ cwd: ctx.io.cwd, env: ctx.io.env });
    if (!exec.measuresResources) ctx.warn('python3 was not found: measuring wall time only (no user/system time, no peak memory).');
    let result;
    try {
      result = await new CmdBench(exec, {
        command: ctx.args.command as string[],
        vs: o.vs,
        shell: Boolean(o.shell),
        warmup: o.warmup ?? 0,
        runs: o.runs,
        minRuns: o.minRuns ?? 10,
        maxRuns: o.maxRuns,
        minTimeMs: o.minTime ?? 3000,
        prepare: o.prepare,
        setup: o.setup,
        cleanup: o.cleanup,
        params: (o.param as string[] | undefined) ?? [],
        ignoreFailure: Boolean(o.ignoreFailure),
        stdinFile: o.input,
        signal: ctx.signal,
      }).run();
    } finally {
      await exec.close();
    }
    const floor = exec.memoryFloorKb;
    for (const m of result.measurements) {
      if (m.failures) ctx.warn(`\`${m.command}\` failed on ${m.failures} of ${m.runs.length} runs.`);
      const peaks = m.runs.map((r) => r.maxRssKb ?? Infinity);
      if (floor !== undefined && Math.min(...peaks) <= floor * 1.05) {
        ctx.warn(`Peak memory of \`${m.command}\` is at the measuring helper's own size (${floor} KiB): the command uses less than that.`);
      }
    }
    await exportAll(ctx, await buildDocument(['cmd'], cmdFigures(result), { cwd: ctx.io.cwd, now: Date.now() }));
    yield* cmdRecords(result);
  },
};

const benchCompare: CommandDef = {
  name: 'bench compare',
  summary: 'Judge current results against a baseline, figure by figure; exits 1 on a regression.',
  description:
    'Verdicts come from a bootstrap 95% confidence interval of the ratio of medians (current/baseline): a figure ' +
    'regressed when the interval lies on the worse side of 1 and the ratio moves past --threshold. Without [current], ' +
    'the newest results saved by `strata bench` in <cache dir>/bench/ are used.',
  args: [
    { name: 'baseline', summary: 'results JSON (from --export-json)', required: true, complete: 'file' },
    { name: 'current', summary: 'results JSON (default: the newest saved by `strata bench`)', complete: 'file' },
  ],
  options: [
    { flags: '--threshold <fraction>', summary: 'noise threshold: smaller relative changes are "unchanged" (default 0.05)', type: 'fraction' },
    { flags: '--common', summary: 'compare only the suites both documents have' },
    { flags: '--seed <n>', summary: 'seed of the bootstrap resampling (default 1)', type: 'number' },
  ],
  output: 'one record per figure: suite, figure, unit, baseline, current (medians), ratio, ciLow, ciHigh, verdict (improved|unchanged|regressed|missing|new)',
  examples: [
    {
      summary: 'compare two result files',
      argv: ['bench', 'compare', 'test/bench/fixtures/baseline.json', 'test/bench/fixtures/current.json'],
      expected: [
        { suite: 'demo', figure: 'steady', unit: 'ms', baseline: 10, current: 10, ratio: 1, ciLow: 0.9, ciHigh: 1.1111, verdict: 'unchanged' },
        { suite: 'demo', figure: 'faster', unit: 'ms', baseline: 20, current: 10, ratio: 0.5, ciLow: 0.45, ciHigh: 0.55, verdict: 'improved' },
      ],
    },
  ],
  async *run(ctx) {
    const { readFile, readdir } = await import('node:fs/promises');
    const { validateDocument } = await import('../bench/results.js');
    const { compareDocuments } = await import('../bench/compare.js');
    const { usageError, runtimeError } = await import('../errors.js');
    const load = async (path: string) => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw usageError('BENCH_NO_RESULTS', `Cannot read ${path}: ${(e as Error).message}.`, 'Pass the path of a file written by --export-json.');
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw usageError('BENCH_BAD_RESULTS', `${path} is not valid JSON: ${(e as Error).message}.`, 'Pass a file written by `strata bench --export-json <file>`.');
      }
      return validateDocument(value, path);
    };
    // the baseline first: a missing baseline is the error to report, whatever the current results
    const baseline = await load(ctx.args.baseline);
    let currentPath = ctx.args.current as string | undefined;
    if (!currentPath) {
      const dir = resultsDir(ctx.config.cache.dir);
      const saved = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^results-.*\.json$/.test(f)).sort();
      if (!saved.length) {
        throw usageError('BENCH_NO_CURRENT', `No current results given and none saved in ${dir}.`, 'Run `strata bench` first, or pass the current results file.');
      }
      currentPath = join(dir, saved[saved.length - 1]);
    }
    const rows = compareDocuments(baseline, await load(currentPath), {
      threshold: ctx.opts.threshold,
      seed: ctx.opts.seed,
      common: Boolean(ctx.opts.common),
    });
    yield* rows;
    const regressed = rows.filter((r) => r.verdict === 'regressed');
    if (regressed.length) {
      throw runtimeError(
        'BENCH_REGRESSION',
        `${regressed.length} figure(s) regressed: ${regressed.map((r) => `${r.suite}/${r.figure} ×${r.ratio}`).join(', ')}.`,
        'Look at the rows marked "regressed"; rerun on a quiet machine to rule out noise.',
      );
    }
  },
};

export const benchCommands: CommandDef[] = [benchSuites, benchCmd, benchCompare];
