import { describe, expect, it } from 'vitest';
import { CHUNK_CHARS, chunkRecords, paged } from '../../src/engine/chunks.js';

async function* records(values: unknown[]) {
  for (const v of values) yield v;
}

async function chunksOf(values: unknown[]) {
  const out: { text: string; records: number }[] = [];
  for await (const c of chunkRecords(records(values))) out.push(c);
  return out;
}

async function pagedChunksOf(pages: unknown[][]) {
  const out: { text: string; records: number }[] = [];
  for await (const c of chunkRecords(paged(async function* () { yield* pages; }))) out.push(c);
  return out;
}

describe('chunkRecords', () => {
  it('keeps each chunk within CHUNK_CHARS, closing it before the record that would cross', async () => {
    const record = { pad: 'x'.repeat(10_000) };
    const values = Array.from({ length: 30 }, (_, i) => ({ ...record, i }));
    const chunks = await chunksOf(values);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(CHUNK_CHARS);
    expect(chunks.flatMap((c) => JSON.parse(c.text))).toEqual(values);
    expect(chunks.reduce((n, c) => n + c.records, 0)).toBe(30);
  });

  it('counts the brackets and commas: records that fill CHUNK_CHARS exactly with their commas still fit', async () => {
    // 8 records of (CHUNK_CHARS / 8 - 1) characters: 8 records and 7 commas plus "[" and "]" is CHUNK_CHARS + 1
    const record = (i: number) => ({ p: String(i).padEnd(CHUNK_CHARS / 8 - 1 - '{"p":""}'.length, 'x') });
    const values = Array.from({ length: 8 }, (_, i) => record(i));
    expect(JSON.stringify(values[0]).length).toBe(CHUNK_CHARS / 8 - 1);
    for (const chunks of [await chunksOf(values), await pagedChunksOf([values])]) {
      for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(CHUNK_CHARS);
      expect(chunks.map((c) => c.records)).toEqual([7, 1]);
    }
  });

  it('gives a record larger than CHUNK_CHARS a chunk of its own', async () => {
    const big = { pad: 'y'.repeat(CHUNK_CHARS + 10) };
    const chunks = await chunksOf([{ a: 1 }, big, { b: 2 }]);
    expect(chunks.map((c) => JSON.parse(c.text))).toEqual([[{ a: 1 }], [big], [{ b: 2 }]]);
  });

  it('closes a chunk at 1,000 records', async () => {
    const chunks = await chunksOf(Array.from({ length: 2500 }, (_, i) => i));
    expect(chunks.map((c) => c.records)).toEqual([1000, 1000, 500]);
  });
});

describe('paged sources', () => {
  it('are chunked a page at a time: a chunk ends at each page end, large pages split by size', async () => {
    const big = Array.from({ length: 30 }, (_, i) => ({ pad: 'x'.repeat(10_000), i }));
    const pages: unknown[][] = [[{ a: 1 }, { a: 2 }], [{ a: 3 }], big];
    const out: { text: string; records: number }[] = [];
    for await (const c of chunkRecords(paged(async function* () { yield* pages; }))) out.push(c);
    expect(out.slice(0, 2).map((c) => JSON.parse(c.text))).toEqual([[{ a: 1 }, { a: 2 }], [{ a: 3 }]]);
    expect(out.length).toBeGreaterThan(3);
    for (const c of out) expect(c.text.length).toBeLessThanOrEqual(CHUNK_CHARS);
    expect(out.slice(2).flatMap((c) => JSON.parse(c.text))).toEqual(big);
  });

  it('iterate as their records, one by one', async () => {
    const got: unknown[] = [];
    for await (const r of paged(async function* () { yield [1, 2]; yield []; yield [3]; })) got.push(r);
    expect(got).toEqual([1, 2, 3]);
  });

  it('are asked for the next page only when the consumer wants more than the page in hand', async () => {
    let asked = 0;
    const chunks = chunkRecords(paged(async function* () { for (let p = 0; p < 3; p++) { asked++; yield [{ p }]; } }));
    expect(JSON.parse((await chunks.next()).value!.text)).toEqual([{ p: 0 }]);
    expect(asked).toBe(1);
    await chunks.return(undefined);
  });
});
