// The one way AWS data is read: `engine.stream(op, fetch)`. The Operation carries everything that
// changes the answer (API parameters, and --starting-token / --max-items / --no-paginate when
// given), so `fetch` is a pure function of it and a cached run replays the same records without
// loading the SDK. When --max-items cuts a listing short, the resumable token travels through the
// cache as a last marker record, which this reader removes and hands to `onNextToken`.

import type { Rec } from '../cli/types.js';
import type { Operation } from '../engine/types.js';
import type { AwsRuntime } from './runtime.js';
import type { CatalogueEntry } from './catalogue.js';
import { paginatePages } from './paginate.js';
import { paged, type Paged } from '../engine/chunks.js';
import { send } from './send.js';
import { awsError } from './errors.js';

/** Field of the marker record that carries a resumable token through the cache. */
export const NEXT_TOKEN_FIELD = '$strata.nextToken';

export interface Paging {
  pageSize?: number;
  maxItems?: number;
  startingToken?: string;
  paginate?: boolean;
}

export interface ReadRequest {
  entry: CatalogueEntry;
  region: string;
  /** API parameters (Filters, ids, Bucket, Prefix, Delimiter ...). */
  params: Record<string, unknown>;
  paging?: Paging;
  onNextToken?(token: string): void;
}

/** Page-size fields never reach the cache key, so --no-paginate names its page size explicitly. */
export function operationFor(rt: AwsRuntime, req: ReadRequest): Operation {
  const p = req.paging ?? {};
  const params: Record<string, unknown> = { ...req.entry.defaults, ...req.params };
  if (p.startingToken) params.StartingToken = p.startingToken;
  if (p.maxItems !== undefined) params.MaxItems = p.maxItems;
  if (p.paginate === false) {
    params.NoPaginate = true;
    if (p.pageSize !== undefined) params.FirstPageSize = p.pageSize;
  }
  return { service: req.entry.service, name: req.entry.operation, params, scope: { profile: rt.scope.profile, region: req.region, endpoint: rt.scope.endpoint } };
}

function clampPageSize(entry: CatalogueEntry, api: Record<string, unknown>, size: number | undefined): number | undefined {
  if (size === undefined || !entry.page.pageSizeField) return undefined;
  // EC2 refuses MaxResults together with explicit ids.
  if (entry.idsField && Array.isArray(api[entry.idsField]) && (api[entry.idsField] as unknown[]).length > 0) return undefined;
  const [min, max] = entry.pageSizeRange ?? [1, Infinity];
  return Math.min(max, Math.max(min, size));
}

/** The fetch behind an operation: paginated SDK calls through the scheduler, normalised records. */
export function fetchOperation(rt: AwsRuntime, entry: CatalogueEntry, op: Operation, pageSize: number | undefined, signal: AbortSignal): Paged<Rec> {
  return paged(() => fetchPages(rt, entry, op, pageSize, signal));
}

async function* fetchPages(rt: AwsRuntime, entry: CatalogueEntry, op: Operation, pageSize: number | undefined, signal: AbortSignal): AsyncGenerator<Rec[]> {
  const { StartingToken, MaxItems, NoPaginate, FirstPageSize, ...api } = op.params as Record<string, any>;
  const region = op.scope.region;
  let nextToken: string | undefined;
  try {
    yield* paginatePages(
      entry.page,
      (input, s) => send(rt, entry.service, region, entry.operation, input, s),
      api,
      {
        pageSize: clampPageSize(entry, api, FirstPageSize ?? pageSize),
        maxItems: MaxItems,
        startingToken: StartingToken,
        paginate: NoPaginate ? false : true,
        signal,
        onNextToken: (t) => (nextToken = t),
      },
      (item) => entry.records(item, region, api),
    );
  } catch (err) {
    throw awsError(err, `${entry.service} ${entry.operation} in ${region}`);
  }
  if (nextToken) yield [{ [NEXT_TOKEN_FIELD]: nextToken }];
}

export async function* read(rt: AwsRuntime, req: ReadRequest): AsyncGenerator<Rec> {
  const engine = await rt.engine();
  const op = operationFor(rt, req);
  const pageSize = req.paging?.pageSize;
  const records = engine.stream<Rec>(op, (signal) => fetchOperation(rt, req.entry, op, pageSize, signal), { mode: rt.cacheMode, ttl: rt.ttl, signal: rt.signal });
  for await (const rec of records) {
    if (NEXT_TOKEN_FIELD in rec) req.onNextToken?.(String(rec[NEXT_TOKEN_FIELD]));
    else yield rec;
  }
}
