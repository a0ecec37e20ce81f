import { describe, expect, it } from 'vitest';
import type { UsageEvent } from '../../src/metrics/usage-log.js';
import { normaliseArgv, parseList, rankUsage } from '../../src/warm/plan.js';
import { ManualClock } from '../../src/util/clock.js';
import { StrataError } from '../../src/errors.js';

const HOUR = 3_600_000;
const clock = new ManualClock(1_800_000_000_000);

function ev(hoursAgo: number, argv: string[], command = argv.slice(0, 2).join(' '), exitCode = 0): UsageEvent {
  return { t: clock.now() - hoursAgo * HOUR, command, argv, ms: 10, exitCode };
}

describe('planning from the usage log', () => {
  it('ranks lines by exponentially decayed weight: often and recent first', () => {
    const events = [
      // read 4 times two days ago: 4 × 0.25 = 1
      ...[48, 48, 48, 48].map((h) => ev(h, ['ec2', 'volumes', '--region', 'eu-west-1'])),
      // read twice just now: 2
      ev(0, ['ec2', 'instances', '--region', 'eu-west-1']),
      ev(0, ['ec2', 'instances', '--region', 'eu-west-1']),
      // read once a day ago: 0.5
      ev(24, ['s3', 'buckets']),
    ];
    const ranked = rankUsage(events, { now: clock.now() });
    expect(ranked.map((r) => [r.line, r.weight, r.runs])).toEqual([
      ['ec2 instances --region eu-west-1', 2, 2],
      ['ec2 volumes --region eu-west-1', 1, 4],
      ['s3 buckets', 0.5, 1],
    ]);
  });

  it('a longer half-life lets old habits outweigh one recent run', () => {
    const events = [...[48, 48, 48].map((h) => ev(h, ['s3', 'buckets'])), ev(0, ['ec2', 'vpcs'])];
    expect(rankUsage(events, { now: clock.now(), halfLifeMs: 24 * HOUR })[0].line).toBe('ec2 vpcs');
    expect(rankUsage(events, { now: clock.now(), halfLifeMs: 7 * 24 * HOUR })[0].line).toBe('s3 buckets');
  });

  it('presentation flags do not make a different line; failed runs, writes and light lines are left out', () => {
    const events = [
      ev(1, ['-o', 'json', 'ec2', 'instances', '--stats'], 'ec2 instances'),
      ev(1, ['ec2', 'instances', '--output=ndjson', '--refresh']),
      ev(1, ['ec2', 'regions'], 'ec2 regions', 1),
      ev(1, ['s3', 'put', 'a', 's3://b/a'], 's3 put'),
      ev(24 * 10, ['s3', 'buckets']),
    ];
    const ranked = rankUsage(events, { now: clock.now() });
    expect(ranked.map((r) => [r.line, r.runs])).toEqual([['ec2 instances', 2]]);
    expect(normaliseArgv(['--ttl', '5m', '--concurrency', '4', 's3', 'ls', 's3://b/'])).toEqual(['s3', 'ls', 's3://b/']);
  });

  it('keeps at most --limit lines, and ignores runs from the future of the clock', () => {
    const events = ['vpcs', 'subnets', 'volumes'].map((r, i) => ev(i, ['ec2', r]));
    expect(rankUsage([...events, ev(-1, ['s3', 'buckets'])], { now: clock.now(), limit: 2 }).map((r) => r.line)).toEqual(['ec2 vpcs', 'ec2 subnets']);
  });
});

describe('warm list files', () => {
  it('reads one command per line, skipping blanks, comments and a leading strata', async () => {
    const items = await parseList('# morning\n\nstrata ec2 instances --region eu-west-1\n  s3 ls "s3://my bucket/logs/"\n', 'warm.txt');
    expect(items.map((i) => [i.line, i.source, i.parsed.def.name])).toEqual([
      ['ec2 instances --region eu-west-1', 'warm.txt line 3', 'ec2 instances'],
      ["s3 ls 's3://my bucket/logs/'", 'warm.txt line 4', 's3 ls'],
    ]);
    expect(items[0].parsed.raw.region).toBe('eu-west-1');
  });

  it.each([
    ['ec2 instances\nfrobnicate now\n', 'warm.txt line 2', /unknown command 'frobnicate'/],
    ['tasks add --title x\n', 'warm.txt line 1', /`tasks add` does not read through the cache/],
    ['ec2 instances --no-such-flag\n', 'warm.txt line 1', /unknown option '--no-such-flag'/],
    ["s3 ls 's3://unterminated\n", 'warm.txt line 1', /Unterminated ' quote/],
    ['ec2\n', 'warm.txt line 1', /./],
  ])('a bad line is a usage error naming it: %j', async (text, where, why) => {
    const err = await parseList(text, 'warm.txt').catch((e) => e);
    expect(err).toBeInstanceOf(StrataError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(where);
    expect(err.message).toMatch(why);
  });
});
