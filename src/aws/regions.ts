// `--region all`: the enabled regions come from DescribeRegions (itself a cached operation, asked
// in the home region), then one stream per region, merged as they answer.

import type { Rec } from '../cli/types.js';
import type { AwsRuntime } from './runtime.js';
import { EC2_CATALOGUE } from './catalogue.js';
import { read } from './read.js';
import { mergeStreams } from './merge.js';
import { requireRegion } from './clients.js';
import { usageError } from '../errors.js';

/** Where DescribeRegions is asked when the user named no concrete region (every account has it). */
export const HOME_REGION = 'us-east-1';

export async function enabledRegions(rt: AwsRuntime): Promise<string[]> {
  const names: string[] = [];
  const home = rt.scope.region && rt.scope.region !== 'all' ? rt.scope.region : HOME_REGION;
  for await (const r of read(rt, { entry: EC2_CATALOGUE.regions, region: home, params: {} })) {
    if (typeof r.RegionName === 'string') names.push(r.RegionName);
  }
  return names.sort();
}

/**
 * Runs `perRegion` in the scope's region, or in every enabled region at once with `--region all`.
 * `onRegionError` (for --keep-going) takes a failed region and lets the others go on.
 */
export async function* acrossRegions(
  rt: AwsRuntime,
  perRegion: (region: string) => AsyncIterable<Rec>,
  onRegionError?: (err: unknown, region: string) => void,
): AsyncGenerator<Rec> {
  if (rt.scope.region !== 'all') {
    yield* perRegion(requireRegion(rt.scope));
    return;
  }
  const regions = await enabledRegions(rt);
  if (regions.length === 0) throw usageError('NO_REGIONS', 'DescribeRegions returned no enabled region', 'name one with --region');
  yield* mergeStreams(
    regions.map(perRegion),
    onRegionError && ((err, i) => onRegionError(err, regions[i])),
  );
}
