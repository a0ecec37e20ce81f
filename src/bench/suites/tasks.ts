// The tasks suite: the targets on generated folders of 1k, 10k and 100k task files
// (1k and 10k with --quick). The generator (src/tasks/generate.ts) is seeded and backdates
// mtimes, as a git checkout would.
//   tasks.cold.*          open with no index: list, read and parse every file, write the index
//                         (*.cpu: the process's CPU time for the same, robust to a busy machine)
//   tasks.warm.*          open with a valid index: stat every file, read nothing
//   tasks.one-changed.10k open after one file of 10k changed (re-reads that file only)
//   tasks.query.*         first filtered query on a freshly opened warm store (status + priority),
//                         including the lazy column parse and posting-list build
//   tasks.list.10k        the same query, records materialised
//   tasks.process.*       whole-process `strata tasks ls --status todo` on 10k with a warm index,
//                         minus `node -e 0` run alternately (the "+60 ms" budget), and
//                         the same on an empty folder (what the CLI and store cost before any
//                         task is touched), and a control: a plain node script that only lists
//                         and stats the 10k files, the least any per-file validation costs in a
//                         new process; skipped when bin/strata.js or dist/ are missing
//   tasks.rss.*           peak RSS of `strata -o ndjson tasks ls` listing every task

import fs from 'node:fs';
import path from 'node:path';
import { GENERATED_EPOCH, generateTaskFolder } from '../../tasks/generate.js';
import { openTaskStore } from '../../tasks/store.js';
import type { TaskQuery } from '../../tasks/types.js';
import { createProcessExecutor } from '../process-executor.js';
import type { Figure, Suite, SuiteContext } from '../types.js';
import { isBuilt, repositoryRoot } from './startup.js';

/** The control: the folder's listing and one stat per file, as the warm check needs, and nothing else. */
const STAT_ONLY = "const fs=require('fs'),d=process.argv[1];let n=0;for(const f of fs.readdirSync(d))if(fs.statSync(d+'/'+f).size>0)n++;if(!n)process.exit(1)";

const QUERY: TaskQuery = { status: ['todo'], priority: ['high', 'critical'] };

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function figure(name: string, samples: number[], note: string, target?: string, unit = 'ms'): Figure {
  return { name, unit, better: 'lower', samples, note, target };
}

/** CPU ms of this process (user + system) spent in `fn`: on a shared machine, what wall time would be when idle. */
async function cpuTime(fn: () => Promise<unknown> | unknown): Promise<number> {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

async function inProcess(ctx: SuiteContext, dir: string, n: number, label: string, figures: Figure[]): Promise<void> {
  const runs = n >= 100_000 ? 1 : n >= 10_000 ? 3 : 5;
  const cold: number[] = [];
  const coldCpu: number[] = [];
  let cacheDir = '';
  for (let r = 0; r < runs; r++) {
    cacheDir = path.join(ctx.tmpDir, `cache-${label}-${r}`);
    const t0 = performance.now();
    coldCpu.push(await cpuTime(async () => (await openTaskStore({ dir, cacheDir })).close()));
    cold.push(performance.now() - t0);
  }
  figures.push(figure(`tasks.cold.${label}`, cold, `open ${n} files with no index (read, parse, write index)`, n === 1000 ? '< 100' : undefined));
  figures.push(figure(`tasks.cold.${label}.cpu`, coldCpu, 'the same, CPU time of the process (single-threaded: wall time on an idle machine)'));

  const warm: number[] = [];
  const warmCpu: number[] = [];
  const query: number[] = [];
  const list: number[] = [];
  let matches = 0;
  for (let r = 0; r < runs + 2; r++) {
    let store = await openTaskStore({ dir, cacheDir });
    store.close();
    const t0 = performance.now();
    warmCpu.push(await cpuTime(async () => (store = await openTaskStore({ dir, cacheDir }))));
    warm.push(performance.now() - t0);
    query.push(await time(() => (matches = store.query(QUERY).length)));
    if (n === 10_000) list.push(await time(() => [...store.list(QUERY)]));
    store.close();
  }
  figures.push(figure(`tasks.warm.${label}`, warm, `open ${n} files with a valid index (stat each, read none)`));
  figures.push(figure(`tasks.warm.${label}.cpu`, warmCpu, 'the same, CPU time of the process'));
  const target = n === 10_000 ? '< 5' : n === 100_000 ? '< 50' : undefined;
  figures.push(figure(`tasks.query.${label}`, query, `first status+priority query after a warm open, ${matches} of ${n} match`, target));
  if (list.length) figures.push(figure(`tasks.list.${label}`, list, `the same query with its ${matches} records read from the index`));
}

async function oneChanged(ctx: SuiteContext, dir: string, figures: Figure[]): Promise<void> {
  const cacheDir = path.join(ctx.tmpDir, 'cache-one-changed');
  (await openTaskStore({ dir, cacheDir })).close();
  const samples: number[] = [];
  const file = path.join(dir, 'task-000123.md');
  const original = fs.readFileSync(file, 'utf8');
  for (let r = 0; r < 3; r++) {
    fs.writeFileSync(file, original.replace(/^status: .*$/m, `status: ${r % 2 ? 'done' : 'review'}`));
    const t0 = performance.now();
    const store = await openTaskStore({ dir, cacheDir });
    samples.push(performance.now() - t0);
    if (store.lastReads !== 1) ctx.log(`tasks: expected 1 file re-read, got ${store.lastReads}`);
    store.close();
  }
  fs.writeFileSync(file, original);
  const old = new Date(GENERATED_EPOCH);
  fs.utimesSync(file, old, old);
  figures.push(figure('tasks.one-changed.10k', samples, 'open after one file of 10k changed: re-reads it, rewrites the index'));
}

async function processFigures(ctx: SuiteContext, dirs: Map<number, string>, figures: Figure[]): Promise<void> {
  const root = repositoryRoot();
  if (!isBuilt(root)) {
    ctx.log('tasks: skipping whole-process figures: the CLI is not built (npm run build)');
    return;
  }
  const env = { ...process.env, STRATA_CACHE_DIR: path.join(ctx.tmpDir, 'cache-process') };
  const exec = await createProcessExecutor({ cwd: root, env });
  try {
    const strata = (dir: string, ...args: string[]) => [process.execPath, 'bin/strata.js', '-o', 'ndjson', 'tasks', 'ls', '--dir', dir, ...args];
    const ten = dirs.get(10_000)!;
    const empty = path.join(ctx.tmpDir, 'tasks-empty');
    fs.mkdirSync(empty, { recursive: true });
    const specs = [
      { argv: [process.execPath, '-e', '0'], display: 'node -e 0' },
      { argv: strata(empty, '--status', 'todo'), display: 'strata tasks ls --status todo (empty folder)' },
      { argv: strata(ten, '--status', 'todo'), display: 'strata tasks ls --status todo (10k, warm)' },
      { argv: [process.execPath, '-e', STAT_ONLY, ten], display: 'node: list and stat the 10k files, nothing else' },
    ];
    const rounds = ctx.quick ? 10 : 15;
    const over: number[] = [];
    const fixed: number[] = [];
    const floor: number[] = [];
    const abs: number[] = [];
    for (let r = -2; r < rounds && !ctx.signal.aborted; r++) {
      const results = [];
      for (const spec of specs) {
        const result = await exec.run(spec, ctx.signal);
        if (result.exitCode !== 0) throw new Error(`${spec.display} exited with ${result.exitCode}`);
        results.push(result);
      }
      if (r < 0) continue;
      const [base, none, run, statOnly] = results;
      over.push(run.wallMs - base.wallMs);
      fixed.push(none.wallMs - base.wallMs);
      floor.push(statOnly.wallMs - base.wallMs);
      abs.push(run.wallMs);
    }
    figures.push(figure('tasks.process.warm.10k', abs, 'whole process, warm index, NDJSON to /dev/null'));
    figures.push(figure('tasks.process.warm.10k.over-node', over, 'the same minus `node -e 0` of the same round', '<= 60'));
    figures.push(figure('tasks.process.empty.over-node', fixed, 'the same command on an empty folder minus `node -e 0`: the CLI and store fixed cost'));
    figures.push(figure('tasks.process.stat-floor.10k.over-node', floor, 'control: a node script that only lists the folder and stats each of the 10k files, minus `node -e 0`'));
    for (const [n, dir] of dirs) {
      if (n < 10_000 || !exec.measuresResources) continue;
      const label = `${n / 1000}k`;
      const rss: number[] = [];
      for (let r = 0; r < 2; r++) {
        const run = await exec.run({ argv: strata(dir), display: `strata tasks ls (${label})` }, ctx.signal);
        if (r > 0 && run.maxRssKb !== null) rss.push(run.maxRssKb / 1024);
      }
      figures.push(figure(`tasks.rss.${label}`, rss, `peak RSS listing all ${n} tasks as NDJSON, warm index`, n === 100_000 ? '< 256' : undefined, 'MB'));
    }
  } finally {
    await exec.close();
  }
}

export const suite: Suite = {
  name: 'tasks',
  summary: 'task store: cold and warm loads, filtered queries, one changed file, whole-process ls, RSS',
  async run(ctx) {
    const sizes = ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
    const figures: Figure[] = [];
    const dirs = new Map<number, string>();
    for (const n of sizes) {
      if (ctx.signal.aborted) break;
      const dir = path.join(ctx.tmpDir, `tasks-${n}`);
      ctx.log(`tasks: generating ${n} task files`);
      generateTaskFolder(dir, n);
      dirs.set(n, dir);
      await inProcess(ctx, dir, n, `${n / 1000}k`, figures);
      if (n === 10_000) await oneChanged(ctx, dir, figures);
    }
    await processFigures(ctx, dirs, figures);
    return figures;
  },
};
