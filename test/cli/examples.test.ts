// Every example of every command runs and produces the records it promises (nushell's
// test_examples). An example without expected records must still succeed and print something.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { runCli } from '../helpers/run-cli.js';

const root = resolve(import.meta.dirname, '../..');
const cacheDir = mkdtempSync(join(tmpdir(), 'strata-examples-'));
const cases = COMMANDS.flatMap((def) => (def.examples ?? []).map((ex) => ({ def, ex })));

describe('command examples', () => {
  it('every visible command has at least one example', () => {
    const without = COMMANDS.filter((d) => !d.hidden && !d.examples?.length).map((d) => d.name);
    expect(without).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.def.name}: ${c.ex.summary}`, c] as const))('%s', async (_title, { ex }) => {
    const res = await runCli([...ex.argv, '-o', 'json'], {
      stdin: ex.stdin,
      cwd: ex.cwd ? resolve(root, ex.cwd) : root,
      env: { HOME: cacheDir, STRATA_CACHE_DIR: cacheDir },
    });
    expect({ code: res.code, stderr: (ex.exitCode ?? 0) === 0 ? res.stderr : '' }).toEqual({ code: ex.exitCode ?? 0, stderr: '' });
    if (ex.expected) expect(JSON.parse(res.stdout)).toEqual(ex.expected);
    else expect(res.stdout.length).toBeGreaterThan(0);
  });
});
