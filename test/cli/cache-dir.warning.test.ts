import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

/** A cache dir under a regular file, or that is one: nothing can be created in it. */
function unusableCacheDir(under = true): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'strata-unusable-')), 'a-file');
  fs.writeFileSync(file, 'x');
  return under ? path.join(file, 'cache') : file;
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('strata: warning:'));

describe('an unwritable cache dir', () => {
  it.each([
    ['the engine and the usage log', ['cache', 'stats', '-o', 'json'], '', true],
    ['only the usage log', ['count'], '[{"a":1}]', true],
    // a file as the dir: ENOTDIR to the engine's open, EEXIST to the usage log's mkdir — one warning
    ['both, when the dir is a file', ['cache', 'stats', '-o', 'json'], '', false],
  ])('found by %s, it still lets the run work, with one warning and its hint', async (_, argv, stdin, under) => {
    const dir = unusableCacheDir(under);
    const res = await runCli(argv, { stdin, env: { HOME: '/nonexistent-home', STRATA_CACHE_DIR: dir } });
    expect(res.code).toBe(0);
    expect(res.stdout).not.toBe('');
    expect(warnings(res.stderr)).toEqual([
      `strata: warning: cache directory ${dir} is not writable (a file is in its path); nothing is cached or logged there — set STRATA_CACHE_DIR to a writable directory`,
    ]);
  });
});
