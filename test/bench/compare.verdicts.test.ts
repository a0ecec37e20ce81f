import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compareDocuments } from '../../src/bench/compare.js';
import { figureResult, RESULTS_SCHEMA, validateDocument, type ResultsDocument } from '../../src/bench/results.js';
import { toCsv, toMarkdown } from '../../src/bench/export.js';
import type { Better } from '../../src/bench/types.js';

const machine = { hostname: 'h', platform: 'linux', release: '6', arch: 'x64', cpuModel: 'CPU', cpus: 2, memoryBytes: 2 ** 32 };
function doc(suites: string[], figs: [suite: string, name: string, samples: number[], better?: Better][]): ResultsDocument {
  return {
    schema: RESULTS_SCHEMA, date: '2025-01-01T00:00:00.000Z', machine, node: 'v20', commit: 'abc', suites,
    figures: figs.map(([suite, name, samples, better]) => figureResult(suite, { name, unit: 'ms', better: better ?? 'lower', samples })),
  };
}
const around = (c: number) => [0.98, 1, 1.01, 0.99, 1.02, 1, 0.995, 1.005].map((f) => f * c);

describe('bench compare', () => {
  it('gives improved, unchanged and regressed verdicts per figure', () => {
    const base = doc(['s'], [['s', 'a', around(10)], ['s', 'b', around(10)], ['s', 'c', around(10)], ['s', 'ops', around(100), 'higher']]);
    const cur = doc(['s'], [['s', 'a', around(8)], ['s', 'b', around(10.1)], ['s', 'c', around(13)], ['s', 'ops', around(70), 'higher']]);
    const rows = compareDocuments(base, cur);
    expect(rows.map((r) => [r.figure, r.verdict])).toEqual([['a', 'improved'], ['b', 'unchanged'], ['c', 'regressed'], ['ops', 'regressed']]);
    expect(rows[2]).toMatchObject({ baseline: 10, current: 13, ratio: 1.3 });
  });

  it('marks figures present on one side only as missing or new', () => {
    const rows = compareDocuments(doc(['s'], [['s', 'gone', [1, 2]]]), doc(['s'], [['s', 'added', [1, 2]]]));
    expect(rows.map((r) => [r.figure, r.verdict])).toEqual([['gone', 'missing'], ['added', 'new']]);
  });

  it('refuses documents covering different suites, naming the difference', () => {
    const base = doc(['cache', 'tasks'], [['cache', 'x', [1]]]);
    const cur = doc(['cache', 'aws'], [['cache', 'x', [1]]]);
    const err = (() => {
      try {
        compareDocuments(base, cur);
      } catch (e) {
        return e as { message: string; hint: string; exitCode: number };
      }
    })()!;
    expect(err.message).toBe('The baseline and the current results cover different suites: only the baseline has tasks; only the current results have aws.');
    expect(err.hint).toMatch(/--common to compare only cache/);
    expect(err.exitCode).toBe(2);
    expect(compareDocuments(base, cur, { common: true }).map((r) => r.verdict)).toEqual(['unchanged']);
  });

  it('refuses a malformed baseline with the reason', () => {
    expect(() => validateDocument([], 'base.json')).toThrow('base.json is not a strata results document: expected a JSON object.');
    expect(() => validateDocument({ schema: 'x' }, 'b.json')).toThrow(/schema is "x"/);
    const bad = { ...doc(['s'], []), figures: [{ suite: 's', name: 'n', unit: 'ms', better: 'lower', samples: ['1'] }] };
    expect(() => validateDocument(bad, 'b.json')).toThrow(/figure #1 needs/);
  });

  it('accepts the checked-in fixtures used by the command example', () => {
    const read = (f: string) => validateDocument(JSON.parse(readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8')), f);
    expect(compareDocuments(read('baseline.json'), read('current.json')).map((r) => r.verdict)).toEqual(['unchanged', 'improved']);
  });
});

describe('exporters', () => {
  const d = doc(['s'], [['s', 'get | hit', [1, 2, 3]], ['s', 'b,c', [4]]]);

  it('writes one Markdown table per suite with the machine and date', () => {
    const md = toMarkdown(d);
    expect(md).toContain('Measured 2025-01-01T00:00:00.000Z on CPU (2 cores, 4.0 GiB), linux 6, Node v20, commit abc.');
    expect(md).toContain('### s');
    expect(md).toContain('| get \\| hit | 2 | 2.9 | 1 | 3 | ms | 3 | lower |  |');
  });

  it('writes one CSV row per figure, quoting where needed', () => {
    expect(toCsv(d).split('\n')).toEqual([
      'suite,name,unit,better,n,median,mean,stddev,min,max,p95,outliers',
      's,get | hit,ms,lower,3,2,2,1,1,3,2.9,0',
      's,"b,c",ms,lower,1,4,4,0,4,4,4,0',
      '',
    ]);
  });
});
