// `s3 ls --recursive --max-items n` in the real process prints `NextToken: <t>` on stderr, and a
// new process given `--starting-token <t>` resumes exactly there: the runs' union is the full
// listing with no key twice. Checked through the cache (default) and straight against s3rver's own
// continuation tokens (--no-cache --page-size 2, so a resume crosses server pages).

import { describe, expect, it } from 'vitest';
import { records, useS3World, strata } from '../helpers/s3-e2e.js';

const KEYS = Array.from({ length: 8 }, (_, i) => `pg/k${String(i).padStart(2, '0')}.txt`);

const world = useS3World(['page-bkt'], KEYS.map((key) => ({ bucket: 'page-bkt', key, body: key })));

/** Runs the listing page by page with --max-items 3, feeding each NextToken to the next process. */
async function listInRuns(extra: string[]): Promise<{ runs: string[][]; tokens: string[] }> {
  const runs: string[][] = [];
  const tokens: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < KEYS.length + 1; i++) {
    const r = await strata(world, ['s3', 'ls', 's3://page-bkt/pg/', '--recursive', '--max-items', '3', '-o', 'ndjson', ...extra, ...(token ? ['--starting-token', token] : [])]);
    expect(r.code, r.stderr).toBe(0);
    runs.push(records(r.stdout).map((x) => String(x.Key)));
    const m = /^NextToken: (\S+)$/m.exec(r.stderr);
    if (!m) return { runs, tokens };
    token = m[1];
    tokens.push(token);
  }
  throw new Error('the listing never ended');
}

describe('--max-items and --starting-token across processes', () => {
  it.each([
    ['through the cache', []],
    ['against the server, two keys a page', ['--no-cache', '--page-size', '2']],
  ])('%s: NextToken on stderr, resumed runs add up to the full listing', async (_name, extra) => {
    const { runs, tokens } = await listInRuns(extra);
    expect(runs.map((r) => r.length)).toEqual([3, 3, 2]);
    expect(tokens).toHaveLength(2);
    expect(runs.flat()).toEqual(KEYS);
  });
});
