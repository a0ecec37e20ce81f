import { describe, expect, it } from 'vitest';
import { CmdBench, type CmdBenchOptions } from '../../src/bench/cmd-runner.js';
import { cmdFigures, cmdRecords } from '../../src/bench/cmd-report.js';
import { MockExecutor } from '../../src/bench/executor.js';
import { StrataError } from '../../src/errors.js';

const base: CmdBenchOptions = {
  command: ['work'],
  shell: false,
  warmup: 0,
  minRuns: 10,
  minTimeMs: 0,
  params: [],
  ignoreFailure: false,
};

describe('bench cmd procedure', () => {
  it('runs warm-up runs untimed, then exactly --runs timed runs', async () => {
    const exec = new MockExecutor((_c, i) => ({ wallMs: 100 + i }));
    const r = await new CmdBench(exec, { ...base, warmup: 2, runs: 5 }).run();
    expect(exec.calls).toHaveLength(7);
    expect(r.measurements[0].runs.map((x) => x.wallMs)).toEqual([102, 103, 104, 105, 106]);
  });

  it('without --runs, runs until both the minimum count and the minimum time are reached', async () => {
    const exec = new MockExecutor(() => ({ wallMs: 100 }));
    const r = await new CmdBench(exec, { ...base, minRuns: 3, minTimeMs: 1000 }).run();
    expect(r.measurements[0].runs).toHaveLength(10);
    const fast = await new CmdBench(new MockExecutor(() => ({ wallMs: 1000 })), { ...base, minRuns: 3, minTimeMs: 1000 }).run();
    expect(fast.measurements[0].runs).toHaveLength(3);
  });

  it('stops at --max-runs even before the minimum time', async () => {
    const r = await new CmdBench(new MockExecutor(() => ({ wallMs: 1 })), { ...base, minRuns: 2, maxRuns: 4, minTimeMs: 10_000 }).run();
    expect(r.measurements[0].runs).toHaveLength(4);
  });

  it('alternates the two commands of --vs and reports the ratio of each pair', async () => {
    const exec = new MockExecutor((c, i) => ({ wallMs: c.display === 'a' ? 20 + i : 10 }));
    const r = await new CmdBench(exec, { ...base, command: ['a'], vs: 'b', runs: 3 }).run();
    expect(exec.calls).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(r.pairs[0].ratios).toEqual([2, 2.1, 2.2]);
    const recs = cmdRecords(r);
    expect(recs[2]).toMatchObject({ command: 'a vs b', pairs: 3, ratioMedian: 2.1, faster: 'b' });
  });

  it('runs setup once, prepare before every run, cleanup once, all through the shell', async () => {
    const exec = new MockExecutor(() => ({ wallMs: 1 }));
    await new CmdBench(exec, { ...base, runs: 2, warmup: 1, setup: 'mk', prepare: 'drop caches', cleanup: 'rm' }).run();
    expect(exec.calls).toEqual(['mk', 'drop caches', 'work', 'drop caches', 'work', 'drop caches', 'work', 'rm']);
  });

  it('benchmarks each combination of --param values with {name} substituted', async () => {
    const exec = new MockExecutor((c) => ({ wallMs: Number(c.argv[1]) * (c.argv[2] === 'x' ? 1 : 2) }));
    const r = await new CmdBench(exec, { ...base, command: ['sleep', '{n}', '{m}'], params: ['n=1..2', 'm=x,y'], runs: 1 }).run();
    expect(r.measurements.map((m) => [m.command, m.params, m.runs[0].wallMs])).toEqual([
      ['sleep 1 x', { n: '1', m: 'x' }, 1],
      ['sleep 1 y', { n: '1', m: 'y' }, 2],
      ['sleep 2 x', { n: '2', m: 'x' }, 2],
      ['sleep 2 y', { n: '2', m: 'y' }, 4],
    ]);
  });

  it('splits a single command string into words, or hands it to sh with --shell', async () => {
    const seen: string[][] = [];
    const exec = new MockExecutor((c) => (seen.push(c.argv), { wallMs: 1 }));
    await new CmdBench(exec, { ...base, command: ["grep -c 'a b' file"], runs: 1 }).run();
    await new CmdBench(exec, { ...base, command: ['ls | wc -l'], shell: true, runs: 1 }).run();
    expect(seen).toEqual([['grep', '-c', 'a b', 'file'], ['/bin/sh', '-c', 'ls | wc -l']]);
  });

  it('stops at the first failing run and says which run and how to go on', async () => {
    const exec = new MockExecutor((_c, i) => ({ wallMs: 1, exitCode: i === 2 ? 3 : 0 }));
    const err = await new CmdBench(exec, { ...base, runs: 5 }).run().catch((e) => e);
    expect(err).toBeInstanceOf(StrataError);
    expect(err.message).toBe('`work` exited with code 3 on run 3.');
    expect(err.hint).toMatch(/--ignore-failure/);
    expect(err.exitCode).toBe(1);
  });

  it('with --ignore-failure, counts failures per command and keeps going', async () => {
    const exec = new MockExecutor((_c, i) => ({ wallMs: 1, exitCode: i % 2 }));
    const r = await new CmdBench(exec, { ...base, runs: 4, ignoreFailure: true }).run();
    expect(cmdRecords(r)[0]).toMatchObject({ runs: 4, failures: 2 });
  });

  it('fails with the flag name when a --prepare command fails', async () => {
    const exec = new MockExecutor((c) => ({ wallMs: 1, exitCode: c.display === 'bad' ? 1 : 0 }));
    await expect(new CmdBench(exec, { ...base, runs: 1, prepare: 'bad' }).run()).rejects.toThrow('The --prepare command `bad` exited with code 1.');
  });

  it('rejects --runs 0 as a usage error', () => {
    expect(() => new CmdBench(new MockExecutor(() => ({ wallMs: 1 })), { ...base, runs: 0 })).toThrow(/--runs/);
  });

  it('summarises wall, user, system time and median peak memory per command', async () => {
    const exec = new MockExecutor((_c, i) => ({ wallMs: [10, 12, 11, 50, 11][i], userMs: 4, sysMs: 2, maxRssKb: 1000 + i }));
    const r = await new CmdBench(exec, { ...base, runs: 5 }).run();
    expect(cmdRecords(r)[0]).toEqual({
      command: 'work', runs: 5, medianMs: 11, meanMs: 18.8, stddevMs: 17.456, minMs: 10, maxMs: 50, p95Ms: 42.4,
      userMs: 4, systemMs: 2, peakMemoryKb: 1002, outliers: 1, failures: 0,
    });
    expect(cmdFigures(r).map((f) => [f.name, f.unit])).toEqual([
      ['work', 'ms'], ['work [user]', 'ms'], ['work [system]', 'ms'], ['work [peak memory]', 'KiB'],
    ]);
  });
});
