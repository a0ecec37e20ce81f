// Completion candidates, from the cache only: never the AWS SDK, never the network. Resource ids
// are read from cached listings in L1/L2 (`engine.peek`, which never touches Redis or upstream);
// task ids from the tasks index under <cacheDir>/tasks/. Every cached listing of the kind counts,
// fresh or not (an id that existed five minutes ago is still the best guess).
//
// When nothing fresh is cached for what is being completed, the answer is what there is and a
// background refresh is queued (src/warm/background.ts: a detached `strata cache warm --list`,
// at most once a minute per command line), so the shell is never blocked and the next <Tab>
// finds the data.

import path from 'node:path';
import type { CommandContext, Rec } from './types.js';
import { configArgs, formatLine, scopeArgs } from '../warm/line-format.js';

export interface Candidate {
  value: string;
  description?: string;
}

const REGIONS = [
  'all', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2',
  'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1', 'me-south-1', 'af-south-1',
];

interface Listing {
  /** The operation whose cached entries hold the ids. */
  operation: string;
  service: 'ec2' | 's3';
  value(r: Rec): unknown;
  description(r: Rec): unknown;
  /** The command that fills the cache with them. */
  refresh: string[];
  regional: boolean;
}

const state = (r: Rec) => (r.State as { Name?: string } | undefined)?.Name;

const LISTINGS: Record<string, Listing> = {
  'instance-id': { operation: 'DescribeInstances', service: 'ec2', value: (r) => r.InstanceId, description: (r) => [r.Name, state(r)].filter(Boolean).join(' · '), refresh: ['ec2', 'instances'], regional: true },
  'volume-id': { operation: 'DescribeVolumes', service: 'ec2', value: (r) => r.VolumeId, description: (r) => [r.Name, r.Size !== undefined ? `${r.Size} GiB` : undefined].filter(Boolean).join(' · '), refresh: ['ec2', 'volumes'], regional: true },
  'security-group-id': { operation: 'DescribeSecurityGroups', service: 'ec2', value: (r) => r.GroupId, description: (r) => r.GroupName, refresh: ['ec2', 'security-groups'], regional: true },
  bucket: { operation: 'ListBuckets', service: 's3', value: (r) => r.Name, description: () => undefined, refresh: ['s3', 'buckets'], regional: false },
};

export async function* candidates(kind: string, prefix: string, ctx: CommandContext): AsyncIterable<Candidate> {
  const keep = (c: Candidate) => c.value.startsWith(prefix);
  if (kind === 'region') {
    const seen = new Set(REGIONS);
    yield* REGIONS.map((value) => ({ value })).filter(keep);
    for await (const { value } of fromListing(ctx, { operation: 'DescribeRegions', service: 'ec2', value: (r) => r.RegionName, description: () => undefined, refresh: [], regional: true })) {
      if (!seen.has(value) && value.startsWith(prefix)) (seen.add(value), yield { value });
    }
    return;
  }
  if (kind === 'cache-key') {
    const engine = await ctx.services.engine();
    for await (const e of engine.entries(`${prefix}*`)) yield { value: e.key, description: e.tier };
    return;
  }
  if (kind === 'task-id') {
    yield* taskIds(ctx, prefix);
    return;
  }
  if (kind === 's3-url') {
    yield* s3Urls(ctx, prefix);
    return;
  }
  const listing = LISTINGS[kind];
  if (listing) for await (const c of fromListing(ctx, listing)) if (keep(c)) yield c;
}

/** The scope of the listing's refresh: a regional listing with no region refreshes every region. */
function listingScopeArgs(ctx: CommandContext, listing: { regional: boolean }): string[] {
  const g = ctx.globals;
  return scopeArgs({ region: listing.regional ? (g.region ?? 'all') : g.region, profile: g.profile === 'default' ? undefined : g.profile, endpointUrl: g.endpointUrl });
}

/** Distinct candidates from every cached entry of the listing; queues a refresh when none is fresh. */
async function* fromListing(ctx: CommandContext, listing: Listing, bucket?: string): AsyncGenerator<Candidate> {
  const engine = await ctx.services.engine();
  const region = listing.regional && ctx.globals.region && ctx.globals.region !== 'all' ? ctx.globals.region : '*';
  const glob = `aws:${ctx.globals.profile || 'default'}:${region}:${listing.service}:${listing.operation}:${bucket !== undefined ? `${bucket}:` : ''}*`;
  const seen = new Set<string>();
  let fresh = false;
  for await (const entry of engine.peek(glob)) {
    fresh ||= entry.fresh;
    for await (const r of entry.records()) {
      const value = listing.value(r);
      if (typeof value !== 'string' || seen.has(value)) continue;
      seen.add(value);
      const description = listing.description(r);
      yield typeof description === 'string' && description ? { value, description } : { value };
    }
  }
  if (!fresh && listing.refresh.length > 0) await refresh(ctx, [...listing.refresh, ...listingScopeArgs(ctx, listing)]);
}

/** `s3://` + bucket names, then one level of keys and prefixes under what is typed. */
async function* s3Urls(ctx: CommandContext, typed: string): AsyncGenerator<Candidate> {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(typed);
  if (!m) {
    for await (const c of fromListing(ctx, LISTINGS.bucket)) {
      const value = `s3://${c.value}/`;
      if (value.startsWith(typed)) yield { value };
    }
    return;
  }
  const [, bucket, keyPrefix] = m;
  const dir = keyPrefix.slice(0, keyPrefix.lastIndexOf('/') + 1);
  /** The next level below `dir` of a key or prefix: a deeper key collapses to its folder. */
  const level = (r: Rec): { name: string; folder: boolean } | undefined => {
    const name = (r.Type === 'prefix' ? r.Prefix : r.Key) as string | undefined;
    if (r.Bucket !== bucket || typeof name !== 'string' || !name.startsWith(keyPrefix) || name === dir) return undefined;
    const slash = name.indexOf('/', dir.length);
    return slash < 0 ? { name, folder: false } : { name: name.slice(0, slash + 1), folder: true };
  };
  const listing: Listing = {
    operation: 'ListObjectsV2',
    service: 's3',
    value: (r) => {
      const l = level(r);
      return l && `s3://${bucket}/${l.name}`;
    },
    description: (r) => (level(r)?.folder || typeof r.Size !== 'number' ? undefined : `${r.Size} bytes`),
    refresh: ['s3', 'ls', `s3://${bucket}/${dir}`],
    regional: false,
  };
  yield* fromListing(ctx, listing, bucket.replace(/[:\s*?[\]{}]/g, '_'));
}

/** Task ids from the index `tasks ls` keeps for the task folder (tasks.dir); queued when absent. */
async function* taskIds(ctx: CommandContext, prefix: string): AsyncGenerator<Candidate> {
  const [{ indexPathFor, IndexReader, IndexCorruptError }] = await Promise.all([import('../tasks/index-file.js')]);
  const dir = path.resolve(ctx.io.cwd, ctx.config.tasks.dir);
  const reader = IndexReader.open(indexPathFor(ctx.config.cache.dir, dir), dir);
  if (!reader) {
    await refresh(ctx, ['tasks', 'ls', '--dir', dir]);
    return;
  }
  let ids: unknown[];
  let statuses: unknown[];
  try {
    ids = reader.column<unknown>('id');
    statuses = reader.column<unknown>('status');
  } catch (err) {
    // a damaged index offers nothing; a background run rebuilds it from the files
    if (!(err instanceof IndexCorruptError)) throw err;
    await refresh(ctx, ['tasks', 'ls', '--dir', dir, '--refresh']);
    return;
  } finally {
    reader.close();
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id === 'string' && id.startsWith(prefix)) yield typeof statuses[i] === 'string' ? { value: id, description: statuses[i] as string } : { value: id };
  }
}

async function refresh(ctx: CommandContext, argv: string[]): Promise<void> {
  const { queueRefresh } = await import('../warm/background.js');
  await queueRefresh(formatLine(argv), { cacheDir: ctx.config.cache.dir, env: ctx.io.env, globalArgs: configArgs(ctx.globals.configFile, ctx.io.cwd) });
}
