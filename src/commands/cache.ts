// `strata cache stats | ls | invalidate | clear`: inspect and manage the cache tiers through the
// engine (the one path to the cache). `cache warm` lives elsewhere. Light to import: the engine
// comes from ctx.services, globs are checked by the engine's glob module, loaded in run().

import type { CommandContext, CommandDef, Rec } from '../cli/types.js';
import { usageError } from '../errors.js';

const GLOB_HELP = "glob on cache keys, e.g. 'aws:*', 'aws:prod:us-east-1:ec2:*', 'tasks:*'";

async function scopePattern(ctx: CommandContext): Promise<string> {
  const { scopeGlob, validateGlob, GLOB_FORMS } = await import('../cache/glob.js');
  const glob = ctx.args.glob as string | undefined;
  const { service, region, profile } = ctx.opts as { service?: string; region?: string; profile?: string };
  const hasScope = service !== undefined || region !== undefined || profile !== undefined;
  if (glob !== undefined && hasScope) {
    throw usageError('GLOB_AND_SCOPE', 'Give either a key glob or --service/--region/--profile, not both.', 'Drop the glob, or put the scope into it, e.g. aws:prod:us-east-1:ec2:*.');
  }
  if (glob !== undefined) {
    validateGlob(glob);
    return glob;
  }
  if (!hasScope) {
    throw usageError('NO_PATTERN', 'cache invalidate needs a key glob or one of --service, --region, --profile.', `Give ${GLOB_FORMS}.`);
  }
  return scopeGlob({ service, region, profile });
}

const stats: CommandDef = {
  name: 'cache stats',
  summary: 'Hits, misses, hit ratio, evictions, entries and bytes of each cache tier.',
  description:
    'Counts are the history of every strata process on this cache directory plus this one; entries and bytes are ' +
    'what each tier holds now (memory is per process, so a new process shows 0 there).',
  output: 'one record per tier: tier, enabled, hits, misses, hitRatio, stale, inflight, evictions, errors, entries, bytes',
  examples: [{ summary: 'how well the cache is doing', argv: ['cache', 'stats'] }],
  async *run(ctx) {
    const engine = await ctx.services.engine();
    yield* await engine.stats();
  },
};

const ls: CommandDef = {
  name: 'cache ls',
  summary: 'List cached entries: key, tier, size, age and TTL left.',
  args: [{ name: 'glob', summary: `${GLOB_HELP} (default: every entry)`, complete: 'cache-key' }],
  options: [{ flags: '--tier <tier>', summary: 'only this tier', choices: ['memory', 'disk', 'redis'] }],
  output: 'key, tier, bytes, ageMs, ttlLeftMs',
  examples: [
    { summary: 'entries of a service nothing reads: none', argv: ['cache', 'ls', 'aws:*:*:no-such-service:*'], expected: [] },
    { summary: 'a malformed glob is a usage error', argv: ['cache', 'ls', 'aws:[ec2'], exitCode: 2 },
  ],
  async *run(ctx) {
    const glob = ctx.args.glob as string | undefined;
    if (glob !== undefined) (await import('../cache/glob.js')).validateGlob(glob);
    const engine = await ctx.services.engine();
    const tier = ctx.opts.tier as string | undefined;
    for await (const e of engine.entries(glob)) {
      if (tier === undefined || e.tier === tier) yield e as unknown as Rec;
    }
  },
};

const invalidate: CommandDef = {
  name: 'cache invalidate',
  summary: 'Remove the entries whose key matches, from every tier (Redis included).',
  args: [{ name: 'glob', summary: GLOB_HELP, complete: 'cache-key' }],
  options: [
    { flags: '--service <name>', summary: "every entry of this service, e.g. 'ec2', 's3'" },
    { flags: '--region <name>', summary: 'every entry of this region', complete: 'region' },
    { flags: '--profile <name>', summary: 'every entry of this AWS profile' },
  ],
  output: 'pattern, removed (entries removed, counted once per tier)',
  examples: [
    { summary: 'nothing cached for this service', argv: ['cache', 'invalidate', 'aws:*:*:no-such-service:*'], expected: [{ pattern: 'aws:*:*:no-such-service:*', removed: 0 }] },
    { summary: 'the --service shortcut', argv: ['cache', 'invalidate', '--service', 'no-such-service'], expected: [{ pattern: 'aws:*:*:no-such-service:*:*', removed: 0 }] },
    { summary: 'an unbalanced bracket is a usage error', argv: ['cache', 'invalidate', 'aws:[ec2'], exitCode: 2 },
  ],
  async *run(ctx) {
    const pattern = await scopePattern(ctx);
    const engine = await ctx.services.engine();
    yield { pattern, removed: await engine.invalidate(pattern) };
  },
};

const clear: CommandDef = {
  name: 'cache clear',
  summary: 'Remove every entry from every tier and reset the hit/miss history.',
  output: 'one record per tier: tier, removed',
  examples: [{ summary: 'start from an empty cache', argv: ['cache', 'clear'] }],
  async *run(ctx) {
    const engine = await ctx.services.engine();
    const before = await engine.stats();
    await engine.clear();
    for (const t of before) yield { tier: t.tier, removed: t.entries };
  },
};

export const cacheCommands: CommandDef[] = [stats, ls, invalidate, clear];
