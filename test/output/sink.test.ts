import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Sink } from '../../src/output/sink.js';

afterEach(() => vi.useRealTimers());

describe('the output sink', () => {
  it('gathers small writes into one chunk', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (d) => chunks.push(String(d)));
    const sink = new Sink(out);
    for (let i = 0; i < 100; i++) await sink.write(`${i}\n`);
    await sink.flush();
    expect(chunks.length).toBe(1);
  });

  it('writes what it holds once the producer goes quiet', async () => {
    vi.useFakeTimers();
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (d) => chunks.push(String(d)));
    const sink = new Sink(out);
    await sink.write('first\n');
    expect(chunks).toEqual([]);
    await vi.advanceTimersByTimeAsync(30);
    expect(chunks).toEqual(['first\n']);
  });

  it('writes at once past the batch size', async () => {
    const out = new PassThrough();
    let bytes = 0;
    out.on('data', (d) => (bytes += d.length));
    const sink = new Sink(out);
    await sink.write('x'.repeat(70 * 1024));
    expect(bytes).toBe(70 * 1024);
  });
});
