// The --stats cache lines: per tier hits, misses, hit ratio and evictions of the run, then the
// run's hit ratio; fed through the real Metrics registry.

import { describe, expect, it } from 'vitest';
import type { CacheEvent } from '../../src/metrics/channels.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { renderStats } from '../../src/metrics/stats-render.js';
import { ManualClock } from '../../src/util/clock.js';

function render(events: [CacheEvent['tier'], CacheEvent['outcome'], number][]): string[] {
  const m = new Metrics(new ManualClock());
  for (const [tier, outcome, n] of events) for (let i = 0; i < n; i++) m.recordCache({ tier, outcome, key: 'k' });
  return renderStats(m.snapshot(), 5).split('\n').filter((l) => l.startsWith('cache'));
}

describe('--stats cache lines', () => {
  it('aligns one line per tier touched, in tier order, and counts --refresh lookups as misses', () => {
    const lines = render([
      ['disk', 'hit', 12], ['memory', 'miss', 10], ['memory', 'refresh', 3], ['memory', 'hit', 7],
      ['disk', 'miss', 1], ['memory', 'evict', 4], ['memory', 'set', 9], ['disk', 'evict', 2],
    ]);
    expect(lines).toEqual([
      'cache memory  hits  7  misses 13  hit ratio 35.0%  evictions 4',
      'cache disk    hits 12  misses  1  hit ratio 92.3%  evictions 2',
      'cache hit ratio 95.0% of 20 lookups',
    ]);
  });

  it('names stale answers and errors only when there were some; a tier with no lookup has no ratio', () => {
    const lines = render([['memory', 'miss', 2], ['disk', 'miss', 2], ['disk', 'stale', 1], ['redis', 'error', 1]]);
    expect(lines).toEqual([
      'cache memory  hits 0  misses 2  hit ratio 0.0%  evictions 0',
      'cache disk    hits 0  misses 2  hit ratio 0.0%  evictions 0  stale 1',
      'cache redis   hits 0  misses 0  hit ratio    -  evictions 0  errors 1',
      'cache hit ratio 0.0% of 2 lookups',
    ]);
  });

  it('prints no cache lines for a run that made no lookup', () => {
    expect(render([])).toEqual([]);
  });
});
