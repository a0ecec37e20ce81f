// CRC-32 (the zlib polynomial) of bytes, or of a string's UTF-8 bytes, optionally continuing from
// an earlier value (crc32(b, crc32(a)) === crc32(a + b)): `zlib.crc32` where Node has it (20.15
// and later), else the same function in JS, since package.json says node >= 20 and a checksum
// written by one must read the same on the other. Used by the cache entry format and the task index.

import zlib from 'node:zlib';

type Crc32 = (data: string | NodeJS.ArrayBufferView, value?: number) => number;

let crcTable: Int32Array | undefined;

/** CRC-32 in JS, for Node before 20.15 (exported for the test that compares it with zlib's). */
export function crc32Js(data: string | NodeJS.ArrayBufferView, value = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let c = ~value;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export const crc32: Crc32 = typeof zlib.crc32 === 'function' ? zlib.crc32 : crc32Js;
