import { describe, expect, it } from 'vitest';
import { decodeToken, encodeToken, paginate, type PageSpec } from '../../src/aws/paginate.js';
import { chunkRecords } from '../../src/engine/chunks.js';

const spec: PageSpec = { inputToken: 'NextToken', outputToken: 'NextToken', pageSizeField: 'MaxResults', resultKeys: ['Items'] };

/** A paged source of n items: page size from the request, tokens are offsets. */
function source(n: number, defaultPage = 3) {
  const requests: Record<string, unknown>[] = [];
  const send = async (input: Record<string, unknown>) => {
    requests.push(input);
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const size = (input.MaxResults as number | undefined) ?? defaultPage;
    const Items = Array.from({ length: Math.max(0, Math.min(size, n - start)) }, (_, i) => ({ id: start + i }));
    const next = start + size < n ? String(start + size) : undefined;
    return { Items, NextToken: next };
  };
  return { send, requests };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('paginate', () => {
  it('yields every item of every page, in order, passing the token on', async () => {
    const s = source(10);
    const items = await collect(paginate(spec, s.send, { Filter: 'x' }));
    expect(items.map((i) => i.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.requests).toEqual([{ Filter: 'x' }, { Filter: 'x', NextToken: '3' }, { Filter: 'x', NextToken: '6' }, { Filter: 'x', NextToken: '9' }]);
  });

  it('puts --page-size into the page-size field of each request', async () => {
    const s = source(10);
    await collect(paginate(spec, s.send, {}, { pageSize: 5 }));
    expect(s.requests.map((r) => r.MaxResults)).toEqual([5, 5]);
  });

  it('hands out the first page before it asks for the second', async () => {
    const s = source(10);
    const it = paginate(spec, s.send, {});
    await it.next();
    expect(s.requests.length).toBe(1);
    await it.return(undefined);
  });

  it('through the engine\'s chunker (which pulls one item ahead), the first page reaches the consumer before the second is asked for', async () => {
    const s = source(10);
    const chunks = chunkRecords(paginate(spec, s.send, {}));
    const first = await chunks.next();
    expect(JSON.parse((first.value as { text: string }).text)).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }]);
    expect(s.requests.length).toBe(1);
    await chunks.return(undefined);
  });

  it('reads a maxItems that is not a count (negative, NaN) as no limit, as the item loop did', async () => {
    for (const maxItems of [-1, Number.NaN]) {
      expect((await collect(paginate(spec, source(10).send, {}, { maxItems }))).length).toBe(10);
    }
  });

  it('stops when the service repeats a token', async () => {
    let calls = 0;
    const send = async () => ({ Items: [{ id: calls++ }], NextToken: 'same' });
    const items = await collect(paginate(spec, send, {}));
    expect(items.length).toBe(2);
  });

  it('with --no-paginate, returns only the first page', async () => {
    const s = source(10);
    expect((await collect(paginate(spec, s.send, {}, { paginate: false }))).length).toBe(3);
    expect(s.requests.length).toBe(1);
  });

  it('with --max-items, stops there and hands out a token that resumes at the next item', async () => {
    const s = source(10);
    let token: string | undefined;
    const first = await collect(paginate(spec, s.send, {}, { maxItems: 4, onNextToken: (t) => (token = t) }));
    expect(first.map((i) => i.id)).toEqual([0, 1, 2, 3]);
    expect(decodeToken(token!)).toEqual({ t: '3', s: 1 });
    let token2: string | undefined;
    const rest = await collect(paginate(spec, s.send, {}, { startingToken: token, maxItems: 4, onNextToken: (t) => (token2 = t) }));
    expect(rest.map((i) => i.id)).toEqual([4, 5, 6, 7]);
    const last = await collect(paginate(spec, s.send, {}, { startingToken: token2 }));
    expect(last.map((i) => i.id)).toEqual([8, 9]);
  });

  it('when --max-items ends exactly at a page boundary, the token names the next page', async () => {
    const s = source(10);
    let token: string | undefined;
    await collect(paginate(spec, s.send, {}, { maxItems: 3, onNextToken: (t) => (token = t) }));
    expect(decodeToken(token!)).toEqual({ t: '3', s: 0 });
    expect(s.requests.length).toBe(1);
  });

  it('gives no token when the listing ends within --max-items', async () => {
    const s = source(3);
    let token: string | undefined;
    await collect(paginate(spec, s.send, {}, { maxItems: 3, onNextToken: (t) => (token = t) }));
    expect(token).toBeUndefined();
  });

  it('rejects a starting token it did not print, as a usage error', () => {
    expect(() => decodeToken('garbage!')).toThrow(expect.objectContaining({ code: 'BAD_TOKEN', kind: 'usage' }));
    expect(decodeToken(encodeToken({ t: null, s: 2 }))).toEqual({ t: null, s: 2 });
  });

  it('stops before the next request once the signal is aborted', async () => {
    const s = source(10);
    const ac = new AbortController();
    const it = paginate(spec, s.send, {}, { signal: ac.signal });
    for (let i = 0; i < 3; i++) await it.next();
    ac.abort();
    await expect(it.next()).rejects.toThrow();
    expect(s.requests.length).toBe(1);
  });

  it('reads items from several result keys of one page (S3 contents and prefixes)', async () => {
    const two: PageSpec = { inputToken: 'C', outputToken: 'N', resultKeys: ['Contents', 'CommonPrefixes'] };
    const items = await collect(paginate(two, async () => ({ Contents: [{ Key: 'a' }], CommonPrefixes: [{ Prefix: 'p/' }] }), {}));
    expect(items).toEqual([{ Key: 'a' }, { Prefix: 'p/' }]);
  });
});
