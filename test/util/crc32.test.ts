import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Js } from '../../src/util/crc32.js';

describe('crc32', () => {
  it("the JS CRC-32 (for Node before 20.15) is zlib's, on bytes and on strings", () => {
    const inputs = ['', 'a', 'ünïcode ✓ and 🚀', 'x'.repeat(10_000), JSON.stringify({ id: 't', tags: ['a', 'b'] })];
    for (const text of inputs) {
      expect(crc32Js(text)).toBe(zlib.crc32(text));
      expect(crc32Js(Buffer.from(text))).toBe(zlib.crc32(Buffer.from(text)));
      expect(crc32(text)).toBe(zlib.crc32(text));
    }
    const f = new Float64Array([1.5, NaN, -0, 1e300]);
    expect(crc32Js(f)).toBe(zlib.crc32(f));
    expect(crc32Js(new Uint16Array([1, 65535, 7]).subarray(1))).toBe(zlib.crc32(new Uint16Array([65535, 7])));
  });

  it('continues from an earlier value, in both forms: the CRC of pieces is the CRC of the whole', () => {
    const whole = Buffer.from('header|frame one|frame two|🚀');
    const cuts = [0, 7, 17, whole.length];
    for (const f of [crc32, crc32Js]) {
      let value = 0;
      for (let i = 1; i < cuts.length; i++) value = f(whole.subarray(cuts[i - 1], cuts[i]), value);
      expect(value).toBe(zlib.crc32(whole));
    }
  });
});
