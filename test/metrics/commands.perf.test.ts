import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { perfCommands } from '../../src/commands/perf.js';
import { recordUsage } from '../../src/metrics/usage-log.js';
import type { CommandContext, Rec } from '../../src/cli/types.js';

const def = (name: string) => perfCommands.find((d) => d.name === name)!;
const ctx = (opts: Record<string, unknown>, dir: string) =>
  ({
    args: {}, opts, warn: () => {}, signal: new AbortController().signal, config: { cache: { dir } },
    io: { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: dir, stdoutIsTTY: false, stderrIsTTY: false },
  }) as unknown as CommandContext;
async function collect(it: AsyncIterable<Rec> | Promise<AsyncIterable<Rec>>): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of await it) out.push(r);
  return out;
}

describe('perf commands', () => {
  it('perf report covers only the --since window of the usage log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-perf-'));
    try {
      const now = Date.now();
      recordUsage(dir, { t: now - 3 * 3_600_000, command: 'old', argv: [], ms: 1, exitCode: 0 });
      recordUsage(dir, { t: now - 60_000, command: 'tasks ls', argv: [], ms: 8, exitCode: 0, answeredBy: 'memory' });
      expect(await collect(def('perf report').run(ctx({}, dir)))).toEqual([
        { operation: 'cmd:tasks ls', count: 1, errors: 0, p50Ms: 8, p95Ms: 8, p99Ms: 8, maxMs: 8, hitRatio: 1 },
      ]);
      expect((await collect(def('perf report').run(ctx({ since: 4 * 3_600_000 }, dir)))).map((r) => r.operation)).toEqual(['cmd:old', 'cmd:tasks ls']);
      expect(await collect(def('perf report').run(ctx({ regressions: true }, dir)))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('perf dashboard refuses to run without a terminal', async () => {
    const err = await collect(def('perf dashboard').run(ctx({}, tmpdir()))).catch((e) => e);
    expect(err.exitCode).toBe(2);
    expect(err.hint).toMatch(/perf report/);
  });
});
