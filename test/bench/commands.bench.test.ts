import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { benchCommands } from '../../src/commands/bench.js';
import type { CommandContext, Rec } from '../../src/cli/types.js';

const def = (name: string) => benchCommands.find((d) => d.name === name)!;
const fixture = (f: string) => new URL(`./fixtures/${f}`, import.meta.url).pathname;

function ctx(args: Record<string, unknown>, opts: Record<string, unknown>, cacheDir: string, warnings: string[] = []): CommandContext {
  return {
    args, opts, warn: (m: string) => warnings.push(m), signal: new AbortController().signal,
    io: { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: process.env, cwd: process.cwd(), stdoutIsTTY: false, stderrIsTTY: false },
    config: { cache: { dir: cacheDir } },
  } as unknown as CommandContext;
}

async function collect(it: AsyncIterable<Rec> | Promise<AsyncIterable<Rec>>): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of await it) out.push(r);
  return out;
}

describe('bench commands', () => {
  it('bench compare produces the records its example promises', async () => {
    const ex = def('bench compare').examples![0];
    const rows = await collect(def('bench compare').run(ctx({ baseline: ex.argv[2], current: ex.argv[3] }, {}, tmpdir())));
    expect(rows).toEqual(ex.expected);
  });

  it('bench compare yields every row, then fails with exit 1 naming the regressions', async () => {
    const rows: Rec[] = [];
    const err = await (async () => {
      for await (const r of await def('bench compare').run(ctx({ baseline: fixture('current.json'), current: fixture('baseline.json') }, {}, tmpdir()))) rows.push(r);
    })().catch((e) => e);
    expect(rows.map((r) => r.verdict)).toEqual(['unchanged', 'regressed']);
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe('1 figure(s) regressed: demo/faster ×2.');
  });

  it('bench compare without a current file uses the newest results saved by bench, or says none exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-cmp-'));
    try {
      const err = await collect(def('bench compare').run(ctx({ baseline: fixture('baseline.json') }, {}, dir))).catch((e) => e);
      expect(err.message).toBe(`No current results given and none saved in ${join(dir, 'bench')}.`);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(dir, 'bench'));
      writeFileSync(join(dir, 'bench', 'results-2025-01-01.json'), readFileSync(fixture('baseline.json')));
      writeFileSync(join(dir, 'bench', 'results-2025-01-02.json'), readFileSync(fixture('current.json')));
      const rows = await collect(def('bench compare').run(ctx({ baseline: fixture('baseline.json') }, {}, dir)));
      expect(rows.map((r) => r.verdict)).toEqual(['unchanged', 'improved']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bench compare names a missing baseline first, whatever the current results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-cmp-'));
    try {
      const err = await collect(def('bench compare').run(ctx({ baseline: join(dir, 'nofile.json') }, {}, dir))).catch((e) => e);
      expect(err).toMatchObject({ code: 'BENCH_NO_RESULTS', exitCode: 2, message: expect.stringMatching(/^Cannot read .*nofile\.json: ENOENT/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bench cmd refuses an --input that does not exist, naming the flag, before running anything', async () => {
    for (const input of ['/no/such/input.txt', tmpdir()]) {
      const err = await collect(def('bench cmd').run(ctx({ command: ['cat'] }, { input, runs: 1 }, tmpdir()))).catch((e) => e);
      expect(err).toMatchObject({ code: 'BENCH_BAD_INPUT', exitCode: 2, message: `--input ${input} ${input === tmpdir() ? 'is a folder' : 'does not exist'}` });
    }
  });

  it('bench compare says when a baseline is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-cmp-'));
    try {
      writeFileSync(join(dir, 'b.json'), '{ not json');
      const err = await collect(def('bench compare').run(ctx({ baseline: join(dir, 'b.json'), current: fixture('current.json') }, {}, dir))).catch((e) => e);
      expect(err.exitCode).toBe(2);
      expect(err.message).toMatch(/b\.json is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bench cmd measures real processes, alternates --vs and exports the results document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-cmd-'));
    try {
      const warnings: string[] = [];
      const rows = await collect(
        def('bench cmd').run(ctx({ command: ['true'] }, { runs: 3, vs: 'false', ignoreFailure: true, exportJson: join(dir, 'r.json'), exportCsv: join(dir, 'r.csv') }, dir, warnings)),
      );
      expect(rows.map((r) => [r.command, r.runs ?? r.pairs, r.failures])).toEqual([['true', 3, 0], ['false', 3, 3], ['true vs false', 3, undefined]]);
      expect(warnings).toContain('`false` failed on 3 of 3 runs.');
      const doc = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
      expect(doc).toMatchObject({ schema: 'strata-bench/1', suites: ['cmd'] });
      expect(doc.figures.map((f: { name: string }) => f.name)).toContain('true / false');
      expect(readFileSync(join(dir, 'r.csv'), 'utf8').split('\n')[0]).toBe('suite,name,unit,better,n,median,mean,stddev,min,max,p95,outliers');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
