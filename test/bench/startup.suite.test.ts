import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startupSuite, STARTUP_COMMANDS, repositoryRoot } from '../../src/bench/suites/startup.js';
import { runSuites, resolveSuites } from '../../src/bench/suite-runner.js';
import { suiteEntries } from '../../src/bench/suites/index.js';

describe('startup suite', () => {
  it('times each command as a whole process, alternating, with peak memory', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'strata-startup-'));
    const logs: string[] = [];
    try {
      const suite = startupSuite(
        [
          { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
          { name: 'cat stdin', argv: ['cat'], stdin: '[]\n' },
          { name: 'needs a missing file', argv: ['true'], needs: ['no/such/file.js'] },
        ],
        { rounds: 3 },
      );
      const figs = await suite.run({ tmpDir: tmp, quick: true, log: (m) => logs.push(m), signal: new AbortController().signal });
      expect(figs.map((f) => [f.name, f.unit, f.samples.length])).toEqual([
        ['node -e 0', 'ms', 3], ['node -e 0 [peak memory]', 'KiB', 3], ['cat stdin', 'ms', 3], ['cat stdin [over node -e 0]', 'ms', 3], ['cat stdin [peak memory]', 'KiB', 3],
      ]);
      const [floor, cat, over] = [figs[0], figs[2], figs[3]];
      expect(over.samples).toEqual(cat.samples.map((ms, i) => ms - floor.samples[i]));
      expect(logs).toEqual(['startup: skipping `needs a missing file`: no/such/file.js not found']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('lists the start-up commands of the issue as data', () => {
    expect(STARTUP_COMMANDS.map((c) => c.name)).toEqual(['node -e 0', 'strata --version', "echo '[]' | strata count", "echo '[]' | strata count (no code cache)", 'strata completion bash', 'strata __complete instance-id i-']);
    expect(STARTUP_COMMANDS.find((c) => c.name.endsWith('(no code cache)'))?.env).toEqual({ STRATA_CODE_CACHE: '0' });
    expect(repositoryRoot()).toBe(process.cwd());
  });
});

describe('suite runner', () => {
  it('runs the named suites into one results document with summaries', async () => {
    const registry = [
      { name: 'fake', load: async () => ({ suite: { name: 'fake', summary: 'f', run: async () => [{ name: 'x', unit: 'ops/s', better: 'higher' as const, samples: [3, 1, 2] }] } }) },
    ];
    const doc = await runSuites(['fake'], { quick: true, signal: new AbortController().signal, log: () => {}, cwd: process.cwd(), now: () => 0, registry });
    expect(doc).toMatchObject({ schema: 'strata-bench/1', date: '1970-01-01T00:00:00.000Z', node: process.version, suites: ['fake'] });
    expect(doc.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(doc.figures[0]).toMatchObject({ suite: 'fake', name: 'x', summary: { n: 3, median: 2 } });
  });

  it('refuses an unknown suite and lists the known ones', () => {
    expect(() => resolveSuites(['nope'])).toThrow('No benchmark suite named `nope`.');
    expect(resolveSuites([]).map((s) => s.name)).toEqual(suiteEntries.map((s) => s.name));
  });
});
