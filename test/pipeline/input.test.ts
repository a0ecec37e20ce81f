import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../../src/pipeline/input.js';
import { StrataError } from '../../src/errors.js';

async function collect(chunks: string[]) {
  const out = [];
  for await (const r of readRecords(Readable.from(chunks))) out.push(r);
  return out;
}

describe('reading records from stdin', () => {
  it('reads a JSON array split across chunks at awkward places', async () => {
    const text = '[{"a":"x,]}"},{"b":[1,2,{"c":"\\""}]}, {"d":null}]';
    for (let cut = 1; cut < text.length; cut += 3) {
      expect(await collect([text.slice(0, cut), text.slice(cut)])).toEqual([{ a: 'x,]}' }, { b: [1, 2, { c: '"' }] }, { d: null }]);
    }
  });

  it('reads NDJSON and concatenated JSON values', async () => {
    expect(await collect(['{"a":1}\n{"a":2}\n', '{"a":3}{"a":4}'])).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }]);
  });

  it('wraps scalars as {value}', async () => {
    expect(await collect(['[1, "two", true, null]'])).toEqual([{ value: 1 }, { value: 'two' }, { value: true }, { value: null }]);
    expect(await collect(['1\n2\n'])).toEqual([{ value: 1 }, { value: 2 }]);
  });

  it('reads nothing from empty input and from []', async () => {
    expect(await collect([''])).toEqual([]);
    expect(await collect(['[]'])).toEqual([]);
    expect(await collect(['  \n'])).toEqual([]);
  });

  it('names the line and column of invalid input', async () => {
    await expect(collect(['{"a":1}\n{"a":2}\n{"a": nope}\n'])).rejects.toThrow(/line 3, column 1/);
    await expect(collect(['[{"a":1}'])).rejects.toThrow(/ended before the closing \]|ended inside a value/);
    await expect(collect(['[{"a":1}] x'])).rejects.toThrow(/after the closing \]/);
  });

  it('stops reading when the consumer stops (first n on an endless stream)', async () => {
    let produced = 0;
    const endless = Readable.from((function* () {
      for (;;) {
        produced++;
        yield '{"n":1}\n';
      }
    })());
    let taken = 0;
    for await (const _ of readRecords(endless)) if (++taken === 3) break;
    expect(taken).toBe(3);
    expect(produced).toBeLessThan(100);
  });
});

describe('a byte order mark at the start of stdin', () => {
  it('is skipped before a JSON array and before NDJSON', async () => {
    expect(await collect(['\ufeff[{"a":1}]'])).toEqual([{ a: 1 }]);
    expect(await collect(['\ufeff{"a":1}\n{"a":2}\n'])).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await collect(['\ufeff', '{"a":1}'])).toEqual([{ a: 1 }]);
  });

  it('is skipped when its bytes arrive in separate chunks', async () => {
    const bytes = Buffer.from('\ufeff[{"a":1}]');
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)];
    const out = [];
    for await (const r of readRecords(Readable.from(chunks, { objectMode: false }))) out.push(r);
    expect(out).toEqual([{ a: 1 }]);
  });

  it('counts columns from after the mark', async () => {
    // the record starts at column 3 counted after the mark (column 4 if the mark were counted, 1 if it began the value)
    await expect(collect(['\ufeff  {"a": nope}'])).rejects.toThrow(/line 1, column 3:/);
  });
});

describe('input nested very deep', () => {
  const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  it('is read up to 256 levels, in an array and as NDJSON', async () => {
    expect(await collect([`[${nested(256)}]`])).toHaveLength(1);
    expect(await collect([nested(256) + '\n' + nested(256)])).toHaveLength(2);
  });

  it.each([257, 5_000, 100_000])('is a usage error naming the limit, line and column at %i levels', async (depth) => {
    let err: unknown;
    try {
      await collect(['{"a":1}\n', nested(depth)]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).exitCode).toBe(2);
    expect((err as StrataError).message).toBe('input on stdin nests more than 256 objects and arrays deep at line 2, column 1281');
    await expect(collect([`[[${nested(depth)}]]`])).rejects.toThrow(/more than 256 objects and arrays deep/);
  });
});
