import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = new URL('../../scripts/perf-docs.mjs', import.meta.url).pathname;
const fixture = (f: string) => new URL(`./fixtures/${f}`, import.meta.url).pathname;

describe('scripts/perf-docs.mjs', () => {
  it('writes the newest figures per suite with machine and date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-perfdocs-'));
    try {
      const out = join(dir, 'performance.md');
      const r = spawnSync(process.execPath, [script, fixture('baseline.json'), fixture('current.json'), '--out', out], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const md = readFileSync(out, 'utf8');
      expect(md).toContain('## demo');
      expect(md).toContain('Measured 2025-01-02T00:00:00.000Z on Fixture CPU, 2 cores, 4.0 GiB, linux 6.0 x64; Node v20.20.2.');
      expect(md).toContain('| faster | 10 | 10.8 | 9 | 11 | ms | 5 | lower |  |  |');
      expect(md).not.toContain('2025-01-01');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a results document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-perfdocs-'));
    try {
      writeFileSync(join(dir, 'x.json'), '{"hello": 1}');
      const r = spawnSync(process.execPath, [script, join(dir, 'x.json'), '--out', join(dir, 'o.md')], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('is not a strata results document');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
