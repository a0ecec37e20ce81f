import { describe, expect, it } from 'vitest';
import { boundedMap } from '../../src/aws/s3/bounded.js';

const later = <T>(ms: number, value: T, fail = false) => new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

async function run<T>(it: AsyncIterable<T>): Promise<{ out: T[]; error?: string }> {
  const out: T[] = [];
  try {
    for await (const v of it) out.push(v);
    return { out };
  } catch (err) {
    return { out, error: (err as Error).message };
  }
}

describe('boundedMap', () => {
  it('after a task fails, hands out what the running tasks finish, starts nothing new, then throws', async () => {
    const started: number[] = [];
    const source = (async function* () {
      yield* [1, 2, 3, 4, 5, 6];
    })();
    const r = await run(boundedMap(source, 3, (n) => (started.push(n), later(n === 1 ? 5 : 20 + n, n, n === 1))));
    expect(r).toEqual({ out: [2, 3], error: '1' });
    expect(started).toEqual([1, 2, 3]);
  });

  it('when the source fails, the tasks already running still deliver before the error', async () => {
    const source = (async function* () {
      yield 1;
      yield 2;
      throw new Error('walk failed');
    })();
    expect(await run(boundedMap(source, 4, (n) => later(10, n)))).toEqual({ out: [1, 2], error: 'walk failed' });
  });
});
