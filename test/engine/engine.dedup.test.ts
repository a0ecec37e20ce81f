import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { collect, op, tempDir, testConfig, upstream } from './fixtures/config.js';

describe('engine dedup in one process', () => {
  it('100 concurrent identical reads make exactly one upstream call and all get every record', async () => {
    const engine = createEngine({ config: testConfig(tempDir()), clock: new ManualClock(), warn: () => {} });
    const pages = Array.from({ length: 5 }, (_, p) => Array.from({ length: 50 }, (_, i) => ({ Key: `k${p}-${i}` })));
    const up = upstream(pages);
    const results = await Promise.all(Array.from({ length: 100 }, () => collect(engine.stream(op({ Bucket: 'b' }), up.fetch))));
    expect(up.state.calls).toBe(1);
    for (const r of results) expect(r).toEqual(pages.flat());
    await engine.close();
  });

  it('shares one call even with no-cache, and gives each consumer its own record objects', async () => {
    const engine = createEngine({ config: testConfig(tempDir()), clock: new ManualClock(), warn: () => {} });
    const up = upstream([[{ a: 1 }]]);
    const [x, y] = await Promise.all([collect(engine.stream(op(), up.fetch, { mode: 'no-cache' })), collect(engine.stream(op(), up.fetch, { mode: 'no-cache' }))]);
    expect(up.state.calls).toBe(1);
    x[0].a = 99;
    expect(y[0]).toEqual({ a: 1 });
    await engine.close();
  });

  it('keeps one consumer going when another stops early', async () => {
    const engine = createEngine({ config: testConfig(tempDir()), clock: new ManualClock(), warn: () => {} });
    const up = upstream([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    const early = (async () => {
      for await (const _ of engine.stream(op(), up.fetch)) break;
    })();
    const full = collect(engine.stream(op(), up.fetch));
    await early;
    expect(await full).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(up.state.calls).toBe(1);
    await engine.close();
  });

  it('a failure reaches every consumer of the shared call', async () => {
    const engine = createEngine({ config: testConfig(tempDir()), clock: new ManualClock(), warn: () => {} });
    const up = upstream<{ n: number }>([], { failWith: new Error('AccessDenied') });
    const all = await Promise.allSettled(Array.from({ length: 3 }, () => collect(engine.stream(op(), up.fetch))));
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(up.state.calls).toBe(1);
    await engine.close();
  });

  it.each([
    ['invalidate', (e: Engine) => e.invalidate('aws:*:*:ec2:*')],
    ['clear', (e: Engine) => e.clear()],
  ])('a read right after %s starts a fresh call instead of joining the old one', async (_, drop) => {
    const engine = createEngine({ config: testConfig(tempDir()), clock: new ManualClock(), warn: () => {} });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const fetching = new Promise<void>((r) => (started = r));
    const before = collect(engine.stream(op(), () => (async function* () {
      started();
      await gate;
      yield { v: 'before' };
    })()));
    await fetching;
    await drop(engine);
    const up = upstream([[{ v: 'after' }]]);
    const after = collect(engine.stream(op(), up.fetch));
    release();
    expect(await before).toEqual([{ v: 'before' }]);
    expect(await after).toEqual([{ v: 'after' }]);
    expect(up.state.calls).toBe(1);
    // the invalidated call cached nothing; the fresh one did
    expect(await collect(engine.stream(op(), upstream([[{ v: 'later' }]]).fetch))).toEqual([{ v: 'after' }]);
    await engine.close();
  });
});
