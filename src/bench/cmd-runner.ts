// `bench cmd`: hyperfine's procedure over an Executor. Per parameter set: setup once, warm-up
// runs, timed runs (a fixed count, or until both a minimum count and a minimum total time are
// reached), cleanup once; --prepare before every run. With a second command (--vs) the two run
// alternately, A B A B …, so slow drift of the machine hits both alike, and each pair yields a
// ratio A/B. Elapsed time for --min-time is the sum of measured run times, which keeps the
// procedure deterministic under a MockExecutor.

import { runtimeError, usageError } from '../errors.js';
import type { CommandSpec, Executor, RunResult } from './executor.js';
import { expandParams, substitute, type ParamSet } from './params.js';
import { splitShellWords } from './shell-words.js';

export interface CmdBenchOptions {
  /** The command: argv, or one string to split into words (or give to the shell with `shell`). */
  command: string[];
  vs?: string;
  shell: boolean;
  warmup: number;
  /** Exact number of timed runs; otherwise minRuns/maxRuns/minTimeMs decide. */
  runs?: number;
  minRuns: number;
  maxRuns?: number;
  minTimeMs: number;
  prepare?: string;
  setup?: string;
  cleanup?: string;
  params: string[];
  ignoreFailure: boolean;
  stdinFile?: string;
  signal?: AbortSignal;
}

export interface CommandMeasurement {
  command: string;
  params: ParamSet;
  runs: RunResult[];
  failures: number;
}

interface PairMeasurement {
  a: string;
  b: string;
  params: ParamSet;
  /** wall(A) / wall(B), one per pair, in run order. */
  ratios: number[];
}

export interface CmdBenchResult {
  measurements: CommandMeasurement[];
  pairs: PairMeasurement[];
}

function toSpec(text: string | string[], shell: boolean, params: ParamSet, stdinFile?: string): CommandSpec {
  const words = Array.isArray(text) ? text.map((w) => substitute(w, params)) : null;
  const line = words ? words.join(' ') : substitute(text as string, params);
  let argv: string[];
  if (shell) argv = ['/bin/sh', '-c', line];
  else if (words && words.length > 1) argv = words;
  else argv = splitShellWords(line);
  if (argv.length === 0) throw usageError('BENCH_NO_COMMAND', 'The command to benchmark is empty.', 'Usage: strata bench cmd -- <command...>');
  return { argv, display: line, stdinFile };
}

const shellSpec = (text: string, params: ParamSet): CommandSpec => toSpec(text, true, params);

function failed(r: RunResult): boolean {
  return r.exitCode !== 0 || r.signal !== null;
}

export class CmdBench {
  readonly #exec: Executor;
  readonly #o: CmdBenchOptions;

  constructor(executor: Executor, opts: CmdBenchOptions) {
    this.#exec = executor;
    this.#o = opts;
    if (opts.runs !== undefined && opts.runs < 1) {
      throw usageError('BENCH_BAD_RUNS', `Expected --runs to be an integer >= 1, got \`${opts.runs}\`.`, 'Example: --runs 20');
    }
    if (opts.warmup < 0) throw usageError('BENCH_BAD_WARMUP', `Expected --warmup to be >= 0, got \`${opts.warmup}\`.`);
  }

  async run(): Promise<CmdBenchResult> {
    const result: CmdBenchResult = { measurements: [], pairs: [] };
    for (const params of expandParams(this.#o.params)) {
      const one = await this.#benchmark(params);
      result.measurements.push(...one.measurements);
      if (one.pair) result.pairs.push(one.pair);
    }
    return result;
  }

  async #benchmark(params: ParamSet): Promise<{ measurements: CommandMeasurement[]; pair?: PairMeasurement }> {
    const o = this.#o;
    const specs = [toSpec(o.command.length === 1 ? o.command[0] : o.command, o.shell, params, o.stdinFile)];
    if (o.vs !== undefined) specs.push(toSpec(o.vs, o.shell, params, o.stdinFile));
    const ms: CommandMeasurement[] = specs.map((s) => ({ command: s.display, params, runs: [], failures: 0 }));

    if (o.setup) await this.#auxiliary('--setup', shellSpec(o.setup, params));
    for (let i = 0; i < o.warmup; i++) {
      for (const spec of specs) await this.#timed(spec, params, null);
    }
    let elapsed = 0;
    for (let i = 0; this.#more(i, elapsed); i++) {
      for (let k = 0; k < specs.length; k++) {
        const r = await this.#timed(specs[k], params, i + 1);
        ms[k].runs.push(r);
        if (failed(r)) ms[k].failures++;
        elapsed += r.wallMs;
      }
    }
    if (o.cleanup) await this.#auxiliary('--cleanup', shellSpec(o.cleanup, params));

    if (specs.length < 2) return { measurements: ms };
    const ratios = ms[0].runs.map((r, i) => r.wallMs / ms[1].runs[i].wallMs);
    return { measurements: ms, pair: { a: specs[0].display, b: specs[1].display, params, ratios } };
  }

  #more(done: number, elapsedMs: number): boolean {
    const o = this.#o;
    if (o.signal?.aborted) return false;
    if (o.runs !== undefined) return done < o.runs;
    if (o.maxRuns !== undefined && done >= o.maxRuns) return false;
    return done < o.minRuns || elapsedMs < o.minTimeMs;
  }

  /** One run (with --prepare before it); `run` is null during warm-up. */
  async #timed(spec: CommandSpec, params: ParamSet, run: number | null): Promise<RunResult> {
    if (this.#o.prepare) await this.#auxiliary('--prepare', shellSpec(this.#o.prepare, params));
    const r = await this.#exec.run(spec, this.#o.signal);
    if (failed(r) && !this.#o.ignoreFailure) {
      const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
      throw runtimeError(
        'BENCH_COMMAND_FAILED',
        `\`${spec.display}\` ${how} on ${run === null ? 'a warm-up run' : `run ${run}`}.`,
        'Fix the command, or pass --ignore-failure to measure it anyway (failures are counted per command).',
      );
    }
    return r;
  }

  async #auxiliary(flag: string, spec: CommandSpec): Promise<void> {
    const r = await this.#exec.run(spec, this.#o.signal);
    if (failed(r)) {
      throw runtimeError(
        'BENCH_AUX_FAILED',
        `The ${flag} command \`${spec.display}\` ${r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`}.`,
        `Run it by hand to see why; ${flag} commands run through /bin/sh.`,
      );
    }
  }
}
