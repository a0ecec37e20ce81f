import { describe, expect, it } from 'vitest';
import type { CommandContext, Rec } from '../../src/cli/types.js';
import { cacheCommands } from '../../src/commands/cache.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { StrataError } from '../../src/errors.js';
import { ManualClock } from '../../src/util/clock.js';
import { collect, op, tempDir, testConfig, upstream } from '../engine/fixtures/config.js';

function command(name: string) {
  return cacheCommands.find((c) => c.name === name)!;
}

async function run(engine: Engine, name: string, args: Record<string, unknown> = {}, opts: Record<string, unknown> = {}): Promise<Rec[]> {
  const ctx = { args, opts, services: { engine: async () => engine }, warn: () => {} } as unknown as CommandContext;
  return collect(await command(name).run(ctx));
}

async function seeded() {
  const engine = createEngine({ config: testConfig(tempDir()), clock: new ManualClock(), warn: () => {} });
  await collect(engine.stream(op({}, 'DescribeInstances'), upstream([[{ a: 1 }]]).fetch));
  await collect(engine.stream({ ...op(), service: 's3', name: 'ListBuckets', scope: { profile: 'default', region: 'eu-west-1' } }, upstream([[{ b: 1 }]]).fetch));
  return engine;
}

describe('cache commands', () => {
  it('cache stats gives one record per tier', async () => {
    const engine = await seeded();
    const recs = await run(engine, 'cache stats');
    expect(recs.map((r) => r.tier)).toEqual(['memory', 'disk', 'redis']);
    expect(recs[1]).toMatchObject({ enabled: true, entries: 2, misses: 2 });
    expect(recs[2]).toMatchObject({ enabled: false, entries: 0 });
  });

  it('cache ls filters by glob and by tier', async () => {
    const engine = await seeded();
    const recs = await run(engine, 'cache ls', { glob: 'aws:*:*:s3:*' }, { tier: 'disk' });
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ tier: 'disk', ageMs: 0, ttlLeftMs: 600_000 });
  });

  it('cache invalidate takes a glob or the --service/--region/--profile shortcuts', async () => {
    const engine = await seeded();
    expect(await run(engine, 'cache invalidate', {}, { region: 'eu-west-1' })).toEqual([{ pattern: 'aws:*:eu-west-1:*:*:*', removed: 2 }]);
    expect(await run(engine, 'cache invalidate', { glob: 'aws:*' })).toEqual([{ pattern: 'aws:*', removed: 2 }]);
  });

  it('cache invalidate without a pattern, or with a malformed one, is a usage error', async () => {
    const engine = await seeded();
    for (const [args, opts] of [[{}, {}], [{ glob: 'aws:{ec2' }, {}], [{ glob: 'aws:*' }, { service: 'ec2' }]] as const) {
      const err = await run(engine, 'cache invalidate', args, opts).catch((e) => e);
      expect(err).toBeInstanceOf(StrataError);
      expect(err.exitCode).toBe(2);
    }
  });

  it('cache clear reports what each tier held and leaves them empty', async () => {
    const engine = await seeded();
    expect(await run(engine, 'cache clear')).toEqual([
      { tier: 'memory', removed: 2 },
      { tier: 'disk', removed: 2 },
      { tier: 'redis', removed: 0 },
    ]);
    expect(await run(engine, 'cache ls')).toEqual([]);
  });
});
