// `strata cache stats | ls | invalidate | clear | warm`: inspect, manage and warm the cache tiers
// through the engine (the one path to the cache). Light to import: the engine comes from
// ctx.services, globs are checked by the engine's glob module, warming (src/warm) is loaded in run().

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

const warm: CommandDef = {
  name: 'cache warm',
  summary: 'Refresh what you read most (from the usage log) or a --list of commands, once or on a schedule.',
  description:
    'Plans from the usage log — command lines read often and recently (weights halve every --half-life) whose cache ' +
    'entries are missing or expire within --ahead — or from --list (one strata command per line, e.g. ' +
    '`ec2 instances --region eu-west-1`; `-` reads stdin). Each line runs in process through its own command and the ' +
    'engine, at the scheduler\'s lowest priority (warming) under its limits; entries still fresh are left alone. ' +
    'A lock in the cache directory keeps two warmers from overlapping. --every keeps running (a duration or a cron ' +
    'expression; the config file is reloaded when it changes); --print-cron / --print-systemd print the equivalent for ' +
    'the system scheduler instead.',
  options: [
    { flags: '--list <file>', summary: "command lines to warm, one per line ('-' for stdin); default: plan from the usage log", complete: 'file' },
    { flags: '--dry-run', summary: 'show the plan (each line and what its entries need), fetch nothing' },
    { flags: '--every [schedule]', summary: 'keep running: warm now, then every duration (15m) or on a cron expression; alone: warm.every from the config' },
    { flags: '--ahead <duration>', summary: 'refresh entries that expire within this (default 2m; with --every, the interval + 30s)', type: 'duration' },
    { flags: '--limit <n>', summary: 'most command lines taken from the usage log (default 25)', type: 'number' },
    { flags: '--half-life <duration>', summary: 'age at which a past run counts half in the usage plan (default 1d)', type: 'duration' },
    { flags: '--print-cron', summary: 'print a crontab line running one warm on the --every schedule' },
    { flags: '--print-systemd', summary: 'print a systemd user timer and service running one warm on the --every schedule' },
  ],
  output: 'one summary record: warmed, skippedFresh, failed, requests, ms (with --every one per round, plus round, at, nextAt; with --dry-run one record per planned line: command, source, status, entries, refreshed, weight, runs)',
  examples: [
    { summary: 'nothing in the usage log yet: nothing to plan', argv: ['cache', 'warm', '--dry-run', '--list', '/dev/null'], expected: [] },
    { summary: 'a crontab line warming every 15 minutes', argv: ['cache', 'warm', '--print-cron', '--every', '15m'] },
    { summary: 'a malformed schedule is a usage error', argv: ['cache', 'warm', '--every', '61 * * * *'], exitCode: 2 },
  ],
  async *run(ctx) {
    const o = ctx.opts as { list?: string; dryRun?: boolean; every?: string | true; ahead?: number; limit?: number; halfLife?: number; printCron?: boolean; printSystemd?: boolean };
    const nodePath = await import('node:path');
    const list = o.list === undefined || o.list === '-' ? o.list : nodePath.resolve(ctx.io.cwd, o.list);
    const everyText = o.every === true || (o.every === undefined && (o.printCron || o.printSystemd)) ? ctx.config.warm.every : o.every;
    if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw usageError('BAD_OPTION', `--limit must be a whole number >= 1, got ${o.limit}`, 'e.g. --limit 10');
    if ((o.every !== undefined || o.printCron || o.printSystemd) && !everyText) {
      throw usageError('WARM_NO_SCHEDULE', 'no schedule given', 'give --every 15m (or a cron expression), or set warm.every in the config file');
    }
    const { configArgs, scopeArgs, warmScopeOf } = await import('../warm/line-format.js');
    const scope = warmScopeOf(ctx.flags);
    if (o.printCron || o.printSystemd) {
      const [{ parseSchedule }, units] = await Promise.all([import('../warm/schedule.js'), import('../warm/system-units.js')]);
      const schedule = await parseSchedule(everyText!, typeof o.every === 'string' ? '--every' : 'warm.every');
      const extra = [...configArgs(ctx.globals.configFile, ctx.io.cwd), ...scopeArgs(scope), ...(list && list !== '-' ? ['--list', list] : [])];
      if (o.printCron) yield { format: 'crontab', schedule: schedule.text, text: units.crontabLine(schedule, extra) };
      if (o.printSystemd) yield { format: 'systemd', schedule: schedule.text, text: units.systemdUnits(schedule, extra, ctx.io.env) };
      return;
    }
    const stdinText = list === '-' ? await readAll(ctx.io.stdin) : undefined;
    const source = list !== undefined ? { list, stdinText } : ctx.config.warm.list && o.every !== undefined ? { list: ctx.config.warm.list } : { usage: { halfLifeMs: o.halfLife, limit: o.limit } };
    if (everyText && o.every !== undefined && !o.dryRun) {
      const [{ runDaemon }, { configPath }] = await Promise.all([import('../warm/daemon.js'), import('../config/load.js')]);
      const load = { file: ctx.globals.configFile, env: ctx.io.env, cwd: ctx.io.cwd };
      const { existsSync } = await import('node:fs');
      const file = configPath(load).path;
      yield* runDaemon({
        config: ctx.config,
        every: everyText,
        source,
        sourceFromFlag: list !== undefined,
        configFile: existsSync(nodePath.dirname(file)) ? { path: file, load } : undefined,
        env: ctx.io.env,
        cwd: ctx.io.cwd,
        aheadMs: o.ahead,
        scope,
        warn: ctx.warn,
        log: (line) => void (ctx.globals.quiet || ctx.io.stderr.write(line + '\n')),
        stop: ctx.signal,
      });
      return;
    }
    const { warmOnce, DEFAULT_AHEAD_MS } = await import('../warm/warmer.js');
    const { summary, results } = await warmOnce({
      config: ctx.config,
      source,
      env: ctx.io.env,
      cwd: ctx.io.cwd,
      signal: ctx.signal,
      warn: ctx.warn,
      aheadMs: o.ahead ?? DEFAULT_AHEAD_MS,
      scope,
      dryRun: o.dryRun,
      progress: ctx.globals.progress && !o.dryRun ? (ctx.io.stderr as NodeJS.WritableStream) : undefined,
    });
    if (o.dryRun) {
      yield* results as unknown as Rec[];
      return;
    }
    if (ctx.globals.verbose) yield* results as unknown as Rec[];
    yield summary as unknown as Rec;
  },
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

export const cacheCommands: CommandDef[] = [stats, ls, invalidate, clear, warm];
