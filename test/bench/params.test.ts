import { describe, expect, it } from 'vitest';
import { expandParams, MAX_PARAM_SETS } from '../../src/bench/params.js';

describe('bench --param scans', () => {
  it('expands lists and ranges into their cartesian product', () => {
    expect(expandParams(['n=1..3', 'mode=a,b'])).toEqual([
      { n: '1', mode: 'a' }, { n: '1', mode: 'b' }, { n: '2', mode: 'a' }, { n: '2', mode: 'b' }, { n: '3', mode: 'a' }, { n: '3', mode: 'b' },
    ]);
  });

  it('refuses a scan too large to run, before building it, as a usage error', () => {
    expect(() => expandParams(['n=1..100000000'])).toThrow(expect.objectContaining({ code: 'BENCH_BAD_PARAM', exitCode: 2, message: expect.stringMatching(/more than 10,000 combinations/) }));
    expect(() => expandParams(['a=1..200', 'b=1..200'])).toThrow(expect.objectContaining({ code: 'BENCH_BAD_PARAM' }));
    expect(expandParams([`n=1..${MAX_PARAM_SETS}`])).toHaveLength(MAX_PARAM_SETS);
  });
});
