// Typed option values through the whole CLI (in process): a value outside its type is a usage
// error naming the flag and the accepted form.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('a fraction option', () => {
  it.each(['-1', '1', 'lots', ''])('--threshold %j is a usage error naming the range', async (value) => {
    const r = await runCli(['perf', 'report', '--regressions', '--threshold', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--threshold expects a fraction from 0 up to 1, got '${value}'`);
  });
});
