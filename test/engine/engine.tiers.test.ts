import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/index.js';
import { ManualClock } from '../../src/util/clock.js';
import { collect, op, tempDir, testConfig, upstream } from './fixtures/config.js';

const pages = [[{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }], [{ InstanceId: 'i-3' }]];

function setup(cache = {}) {
  const dir = tempDir();
  const clock = new ManualClock();
  const warnings: string[] = [];
  const make = () => createEngine({ config: testConfig(dir, cache), clock, warn: (m) => warnings.push(m) });
  return { dir, clock, warnings, make };
}

describe('engine tiers', () => {
  it('answers a repeat from memory without calling upstream again', async () => {
    const { make } = setup();
    const engine = make();
    const up = upstream(pages);
    expect(await collect(engine.stream(op(), up.fetch))).toEqual(pages.flat());
    expect(await collect(engine.stream(op(), up.fetch))).toEqual(pages.flat());
    expect(up.state.calls).toBe(1);
    await engine.close();
  });

  it('answers a new process (fresh engine) from the disk tier', async () => {
    const { make } = setup();
    const up = upstream(pages);
    const first = make();
    await collect(first.stream(op(), up.fetch));
    await first.close();
    const second = make();
    expect(await collect(second.stream(op(), up.fetch))).toEqual(pages.flat());
    expect(up.state.calls).toBe(1);
    const stats = await second.stats();
    expect(stats.find((s) => s.tier === 'disk')).toMatchObject({ hits: 1, entries: 1 });
    await second.close();
  });

  it('refetches once the TTL from the most specific rule has passed', async () => {
    const { make, clock } = setup({ ttl: [{ match: 'aws:*:*:ec2:*', ttl: 60_000 }] });
    const engine = make();
    const up = upstream(pages);
    await collect(engine.stream(op(), up.fetch));
    clock.advance(59_000);
    await collect(engine.stream(op(), up.fetch));
    expect(up.state.calls).toBe(1);
    clock.advance(2_000);
    await collect(engine.stream(op(), up.fetch));
    expect(up.state.calls).toBe(2);
    await engine.close();
  });

  it('with --ttl, accepts only entries younger than the given bound', async () => {
    const { make, clock } = setup();
    const engine = make();
    const up = upstream(pages);
    await collect(engine.stream(op(), up.fetch));
    clock.advance(10_000);
    await collect(engine.stream(op(), up.fetch, { ttl: 20_000 }));
    expect(up.state.calls).toBe(1);
    await collect(engine.stream(op(), up.fetch, { ttl: 5_000 }));
    expect(up.state.calls).toBe(2);
    await engine.close();
  });

  it('with no-cache, always calls upstream and stores nothing', async () => {
    const { make, dir } = setup();
    const engine = make();
    const up = upstream(pages);
    await collect(engine.stream(op(), up.fetch, { mode: 'no-cache' }));
    await collect(engine.stream(op(), up.fetch, { mode: 'no-cache' }));
    expect(up.state.calls).toBe(2);
    expect(fs.readdirSync(path.join(dir, 'l2')).filter((n) => /\.[et]$/.test(n))).toEqual([]);
    await engine.close();
  });

  it('with refresh, refetches an entry older than the fresh window and reuses a younger one', async () => {
    const { make, clock } = setup();
    const engine = make();
    const up = upstream(pages);
    await collect(engine.stream(op(), up.fetch));
    clock.advance(1_000);
    await collect(engine.stream(op(), up.fetch, { mode: 'refresh' }));
    expect(up.state.calls).toBe(1);
    clock.advance(5_000);
    await collect(engine.stream(op(), up.fetch, { mode: 'refresh' }));
    expect(up.state.calls).toBe(2);
    await engine.close();
  });

  it('serves a stale entry with a warning when upstream fails within the stale-if-error bound', async () => {
    const { make, clock, warnings } = setup({ ttl: [], defaultTtl: 60_000, staleIfError: 3_600_000 });
    const engine = make();
    await collect(engine.stream(op(), upstream(pages).fetch));
    clock.advance(30 * 60_000);
    const failing = upstream<{ InstanceId: string }>([], { failWith: new Error('ThrottlingException') });
    expect(await collect(engine.stream(op(), failing.fetch))).toEqual(pages.flat());
    expect(warnings.join('\n')).toMatch(/ThrottlingException.*stale-if-error/);
    clock.advance(60 * 60_000);
    await expect(collect(engine.stream(op(), failing.fetch))).rejects.toThrow('ThrottlingException');
    await engine.close();
  });

  it('treats a corrupt disk entry as a miss and replaces it', async () => {
    const { make, dir } = setup();
    const up = upstream(pages);
    const first = make();
    await collect(first.stream(op(), up.fetch));
    await first.close();
    const [file] = fs.readdirSync(path.join(dir, 'l2')).filter((n) => /\.[et]$/.test(n));
    const full = path.join(dir, 'l2', file);
    const bytes = fs.readFileSync(full);
    bytes[bytes.length - 40] ^= 0xff;
    fs.writeFileSync(full, bytes);
    const second = make();
    expect(await collect(second.stream(op(), up.fetch))).toEqual(pages.flat());
    expect(up.state.calls).toBe(2);
    const third = make();
    await collect(third.stream(op(), up.fetch));
    expect(up.state.calls).toBe(2);
    await Promise.all([second.close(), third.close()]);
  });

  it('streams records as pages arrive, before upstream has finished', async () => {
    const { make } = setup();
    const engine = make();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fetch = async function* () {
      yield { n: 1 };
      await gate;
      yield { n: 2 };
    };
    const it = engine.stream(op(), fetch)[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ n: 1 });
    release();
    expect((await it.next()).value).toEqual({ n: 2 });
    expect((await it.next()).done).toBe(true);
    await engine.close();
  });

  it('aborts upstream and caches nothing when the consumer stops early', async () => {
    const { make, dir } = setup();
    const engine = make();
    const up = upstream([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    for await (const rec of engine.stream(op(), up.fetch)) {
      expect(rec).toEqual({ n: 1 });
      break;
    }
    expect(up.state.signals[0].aborted).toBe(true);
    // The second read waits for the abandoned one to settle, then fetches on its own.
    expect(await collect(engine.stream(op(), up.fetch))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(up.state.calls).toBe(2);
    const files = fs.readdirSync(path.join(dir, 'l2'));
    expect(files.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(files.filter((n) => /\.[et]$/.test(n))).toHaveLength(1);
    await engine.close();
  });
});
