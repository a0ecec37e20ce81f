// EC2 reads: one catalogue entry per resource, --filter and --ids, across regions.

import type { Rec } from '../cli/types.js';
import type { AwsRuntime } from './runtime.js';
import { EC2_CATALOGUE, type Ec2Resource } from './catalogue.js';
import { read, type Paging } from './read.js';
import { acrossRegions } from './regions.js';
import type { Ec2Filter } from './filters.js';
import { usageError } from '../errors.js';

export interface DescribeQuery {
  filters?: Ec2Filter[];
  ids?: string[];
  paging?: Paging;
  onNextToken?(token: string): void;
  onRegionError?(err: unknown, region: string): void;
}

export function describeParams(resource: Ec2Resource, q: Pick<DescribeQuery, 'filters' | 'ids'>): Record<string, unknown> {
  const entry = EC2_CATALOGUE[resource];
  const params: Record<string, unknown> = {};
  if (q.filters?.length) params.Filters = q.filters;
  if (q.ids?.length) {
    if (!('idsField' in entry)) throw usageError('BAD_OPTION', `--ids does not apply to ec2 ${resource}`, `use --filter with ec2 ${resource}`);
    params[entry.idsField] = [...new Set(q.ids)].sort();
  }
  return params;
}

export function describe(rt: AwsRuntime, resource: Ec2Resource, q: DescribeQuery = {}): AsyncIterable<Rec> {
  const params = describeParams(resource, q);
  if (rt.scope.region === 'all' && (q.paging?.maxItems !== undefined || q.paging?.startingToken)) {
    throw usageError('BAD_OPTION', '--max-items and --starting-token need one region, not --region all', 'name one region with --region');
  }
  return acrossRegions(rt, (region) => read(rt, { entry: EC2_CATALOGUE[resource], region, params, paging: q.paging, onNextToken: q.onNextToken }), q.onRegionError);
}
