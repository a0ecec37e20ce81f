import { mkdtempSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RangeWriter } from '../../src/aws/s3/range-writer.js';

describe('RangeWriter', () => {
  it('writes what gathered at its offset, and finishes a writev the file system took only part of', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'range-writer-')), 'out.bin');
    const fh = await open(file, 'w+');
    await fh.write(Buffer.alloc(40, '.'), 0, 40, 0);
    // a file system that takes at most 7 bytes per writev (a short write, as a full pipe or a signal makes)
    const writev = fh.writev.bind(fh);
    const calls: number[] = [];
    Object.assign(fh, {
      writev: async (buffers: Uint8Array[], position?: number) => {
        const all = Buffer.concat(buffers);
        calls.push(all.length);
        return writev([all.subarray(0, 7)], position);
      },
    });
    let reported = 0;
    const w = new RangeWriter(fh, 10, (n) => (reported += n));
    for (const piece of ['abc', 'defghij', 'klmnopqrst']) await w.push(Buffer.from(piece));
    await w.finish();
    await fh.close();
    expect(readFileSync(file, 'utf8')).toBe('..........abcdefghijklmnopqrst..........');
    expect(reported).toBe(20);
    expect(calls.length).toBeGreaterThan(2); // the rest of each short write went out again
  });

  it('with no position, writes where the file is (a device cannot seek): every byte, in order', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'range-writer-')), 'appended.bin');
    const fh = await open(file, 'a');
    await fh.write('head:');
    const w = new RangeWriter(fh, null, () => undefined);
    const pieces = Array.from({ length: 50 }, (_, i) => Buffer.from(`<${i}>`.repeat(2_000)));
    for (const piece of pieces) await w.push(piece);
    await w.finish();
    await fh.close();
    expect(readFileSync(file, 'utf8')).toBe('head:' + Buffer.concat(pieces).toString());
  });
});
