// Start-up suite: whole-process time of the commands a user waits on most, run alternately
// (one of each per round, so drift hits all alike), through the process executor. `node -e 0`
// is the floor every other figure is read against. The command list is data; commands whose
// files do not exist (e.g. before bin/strata.js is built) are skipped with a log line.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeError } from '../../errors.js';
import type { Executor } from '../executor.js';
import { createProcessExecutor } from '../process-executor.js';
import type { Figure, Suite, SuiteContext } from '../types.js';

export interface StartupCommand {
  name: string;
  argv: string[];
  /** Text fed to stdin. */
  stdin?: string;
  /** Files (relative to the repository root) the command needs; skipped when one is missing. */
  needs?: string[];
  /** Variables set for this command only. */
  env?: Record<string, string>;
}

const strata = (...args: string[]) => [process.execPath, 'bin/strata.js', ...args];

/** What a whole-process figure runs: the launcher and the built CLI (npm run build). */
export const BUILT_CLI = ['bin/strata.js', 'dist/strata.cjs', 'dist/lib/core.cjs'];

/** True when the CLI under `root` is built. */
export const isBuilt = (root: string) => BUILT_CLI.every((f) => existsSync(join(root, f)));

export const STARTUP_COMMANDS: readonly StartupCommand[] = [
  { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  { name: 'strata --version', argv: strata('--version'), needs: BUILT_CLI },
  { name: "echo '[]' | strata count", argv: strata('count'), stdin: '[]\n', needs: BUILT_CLI },
  // what the first run of a build pays, before it has a code cache (src/boot/code-cache.ts)
  { name: "echo '[]' | strata count (no code cache)", argv: strata('count'), stdin: '[]\n', needs: BUILT_CLI, env: { STRATA_CODE_CACHE: '0' } },
  { name: 'strata completion bash', argv: strata('completion', 'bash'), needs: BUILT_CLI },
  { name: 'strata __complete instance-id i-', argv: strata('__complete', 'instance-id', 'i-'), needs: BUILT_CLI },
];

/** The repository root: the nearest folder above this module holding bin/ and package.json. */
export function repositoryRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export interface StartupSuiteOptions {
  root?: string;
  executor?: (cwd: string) => Promise<Executor>;
  /** Timed rounds (each runs every command once). @default 20, 10 with --quick */
  rounds?: number;
}

export function startupSuite(commands: readonly StartupCommand[], o: StartupSuiteOptions = {}): Suite {
  return {
    name: 'startup',
    summary: 'whole-process start-up time of common commands, alternated',
    async run(ctx: SuiteContext): Promise<Figure[]> {
      const root = o.root ?? repositoryRoot();
      const runnable = commands.filter((c) => {
        const missing = (c.needs ?? []).filter((f) => !existsSync(join(root, f)));
        if (missing.length) ctx.log(`startup: skipping \`${c.name}\`: ${missing.join(', ')} not found`);
        return missing.length === 0;
      });
      const specs = await Promise.all(
        runnable.map(async (c, i) => {
          let stdinFile: string | undefined;
          if (c.stdin !== undefined) {
            stdinFile = join(ctx.tmpDir, `stdin-${i}`);
            await writeFile(stdinFile, c.stdin);
          }
          return { argv: c.argv, display: c.name, stdinFile, env: c.env };
        }),
      );
      const exec = await (o.executor ?? ((cwd) => createProcessExecutor({ cwd, env: process.env })))(root);
      const rounds = o.rounds ?? (ctx.quick ? 10 : 20);
      const wall = specs.map(() => [] as number[]);
      const rss = specs.map(() => [] as number[]);
      try {
        for (let round = -2; round < rounds && !ctx.signal.aborted; round++) {
          for (let k = 0; k < specs.length; k++) {
            const r = await exec.run(specs[k], ctx.signal);
            if (r.exitCode !== 0) {
              throw runtimeError('BENCH_STARTUP_FAILED', `\`${specs[k].display}\` exited with ${r.signal ?? `code ${r.exitCode}`}.`, `Run it by hand in ${root} to see why.`);
            }
            if (round < 0) continue; // warm-up rounds fill the page cache
            wall[k].push(r.wallMs);
            if (r.maxRssKb !== null) rss[k].push(r.maxRssKb);
          }
        }
      } finally {
        await exec.close();
      }
      // the first command is the floor (node -e 0): each other's cost over it, round by round
      const over = (k: number) => wall[k].map((ms, i) => ms - wall[0][i]);
      return specs.flatMap((s, k) => [
        { name: s.display, unit: 'ms', better: 'lower' as const, samples: wall[k], note: 'whole process, wall time' },
        ...(k > 0 && wall[0].length === wall[k].length ? [{ name: `${s.display} [over ${specs[0].display}]`, unit: 'ms', better: 'lower' as const, samples: over(k), note: 'paired difference per round' }] : []),
        ...(rss[k].length ? [{ name: `${s.display} [peak memory]`, unit: 'KiB', better: 'lower' as const, samples: rss[k] }] : []),
      ]);
    },
  };
}

export const suite: Suite = startupSuite(STARTUP_COMMANDS);
