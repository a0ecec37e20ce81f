// One generic pagination loop (smithy's createPaginator is the model): each operation is data
// (input token, output token, page-size field, result key), the loop asks for a page, yields its
// items, and carries the token on. It stops when the token is absent, when the service repeats a
// token (a known SDK safeguard against endless loops), when --max-items is reached (then it hands
// back a resumable token) or after one page with --no-paginate. Cancellation is the signal. The
// next page is asked for only after the records in hand had a turn to reach the consumer.
//
// Resumable token: like the AWS CLI's, it names the page to ask for and how many of its items were
// already returned: base64url of {"t": <service token or null>, "s": <items to skip>}.

import { setImmediate } from 'node:timers';
import { usageError } from '../errors.js';

export interface PageSpec {
  /** Request field that takes the continuation token, e.g. 'NextToken', 'ContinuationToken'. */
  inputToken: string;
  /** Response field holding the next token, e.g. 'NextToken', 'NextContinuationToken'. */
  outputToken: string;
  /** Request field that sets the page size, e.g. 'MaxResults', 'MaxKeys'; absent when the API has none. */
  pageSizeField?: string;
  /** Response fields whose arrays are the items, in order (S3 listings have two). */
  resultKeys: string[];
}

export interface PaginateOptions {
  pageSize?: number;
  maxItems?: number;
  startingToken?: string;
  /** false: one page only (--no-paginate). */
  paginate?: boolean;
  signal?: AbortSignal;
  /** Called with the resumable token when --max-items cut the listing short. */
  onNextToken?(token: string): void;
}

/** Turns one response item into the records counted by --max-items (reservations → instances). */
export type Expand<T> = (item: Record<string, unknown>) => T[];

export type PageSender = (input: Record<string, unknown>, signal?: AbortSignal) => Promise<Record<string, unknown>>;

interface Resume {
  t: string | null;
  s: number;
}

export function encodeToken(r: Resume): string {
  return Buffer.from(JSON.stringify(r)).toString('base64url');
}

export function decodeToken(token: string): Resume {
  try {
    const r = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Resume;
    if ((r.t === null || typeof r.t === 'string') && Number.isInteger(r.s) && r.s >= 0) return r;
  } catch {
    // fall through to the usage error
  }
  throw usageError('BAD_TOKEN', `--starting-token '${token}' is not a token strata printed`, 'pass the NextToken value printed on stderr by the previous run');
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' });
}

/** Items of every page (expanded into records when `expand` is given), in order, one array per page. */
export async function* paginatePages<T = Record<string, unknown>>(
  spec: PageSpec,
  send: PageSender,
  input: Record<string, unknown>,
  opts: PaginateOptions = {},
  expand: Expand<T> = (item) => [item as T],
): AsyncGenerator<T[]> {
  const resume = opts.startingToken ? decodeToken(opts.startingToken) : { t: null, s: 0 };
  let token: string | null = resume.t;
  let skip = resume.s;
  let left = opts.maxItems !== undefined && opts.maxItems >= 0 ? opts.maxItems : Infinity;
  const seen = new Set<string>();
  for (;;) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const request: Record<string, unknown> = { ...input };
    if (token) request[spec.inputToken] = token;
    if (spec.pageSizeField && opts.pageSize) request[spec.pageSizeField] = opts.pageSize;
    const page = await send(request, opts.signal);
    const items = spec.resultKeys.flatMap((k) => (Array.isArray(page[k]) ? (page[k] as Record<string, unknown>[]) : [])).flatMap(expand);
    const next = page[spec.outputToken];
    const nextToken = typeof next === 'string' && next.length > 0 ? next : null;
    const end = Math.min(items.length, skip + left);
    if (end > skip) yield skip === 0 && end === items.length ? items : items.slice(skip, end);
    left -= Math.max(0, end - skip);
    if (end < items.length) {
      opts.onNextToken?.(encodeToken({ t: token, s: end }));
      return;
    }
    skip = 0;
    if (!nextToken || opts.paginate === false) return;
    if (left === 0) {
      opts.onNextToken?.(encodeToken({ t: nextToken, s: 0 }));
      return;
    }
    if (seen.has(nextToken)) return;
    seen.add(nextToken);
    token = nextToken;
    // A consumer iterating item by item (paginate, or a record-by-record chunker, which pulls one
    // item ahead to find where a page ends) would otherwise send the next request before this
    // page reached its own consumer.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The items of `paginatePages`, one at a time. */
export async function* paginate<T = Record<string, unknown>>(
  spec: PageSpec,
  send: PageSender,
  input: Record<string, unknown>,
  opts: PaginateOptions = {},
  expand: Expand<T> = (item) => [item as T],
): AsyncGenerator<T> {
  for await (const page of paginatePages(spec, send, input, opts, expand)) yield* page;
}
