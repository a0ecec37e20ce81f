import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../../src/pipeline/input.js';

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
