import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheChannel, type CacheEvent } from '../../src/metrics/channels.js';
import { createEngine } from '../../src/engine/index.js';
import { StrataError } from '../../src/errors.js';
import { ManualClock } from '../../src/util/clock.js';
import { collect, op, tempDir, testConfig, upstream } from './fixtures/config.js';

const pages = [[{ VolumeId: 'vol-1' }], [{ VolumeId: 'vol-2' }]];

describe('engine faults', () => {
  it('on a full disk, still returns every record, warns once and caches nothing on disk', async () => {
    const dir = tempDir();
    const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const diskFileOps = { ...fs, writeSync: () => { throw enospc; } } as typeof fs;
    const warnings: string[] = [];
    const engine = createEngine({ config: testConfig(dir), clock: new ManualClock(), warn: (m) => warnings.push(m), diskFileOps });
    const up = upstream(pages);
    expect(await collect(engine.stream(op({ a: 1 }), up.fetch))).toEqual(pages.flat());
    expect(await collect(engine.stream(op({ a: 2 }), up.fetch))).toEqual(pages.flat());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is full/);
    expect(fs.readdirSync(path.join(dir, 'l2')).filter((n) => /\.[et]$/.test(n) || n.startsWith('.tmp-'))).toEqual([]);
    const disk = (await engine.stats()).find((s) => s.tier === 'disk');
    expect(disk).toMatchObject({ entries: 0, errors: 2 });
    await engine.close();
  });

  it('with an unwritable cache directory, works from memory with one warning', async () => {
    const file = path.join(tempDir(), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const warnings: string[] = [];
    const engine = createEngine({ config: testConfig(path.join(file, 'cache')), clock: new ManualClock(), warn: (m) => warnings.push(m) });
    const up = upstream(pages);
    expect(await collect(engine.stream(op(), up.fetch))).toEqual(pages.flat());
    expect(await collect(engine.stream(op(), up.fetch))).toEqual(pages.flat());
    expect(up.state.calls).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not writable \(a file is in its path\).*STRATA_CACHE_DIR/);
    expect((await engine.stats()).find((s) => s.tier === 'disk')).toMatchObject({ enabled: false });
    await engine.close();
  });

  it('creates the cache directory 0700 and entry files 0600', async () => {
    const dir = path.join(tempDir(), 'cache');
    const engine = createEngine({ config: testConfig(dir), clock: new ManualClock(), warn: () => {} });
    await collect(engine.stream(op(), upstream(pages).fetch));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'l2')).mode & 0o777).toBe(0o700);
    for (const name of fs.readdirSync(path.join(dir, 'l2')).filter((n) => /\.[et]$/.test(n))) {
      expect(fs.statSync(path.join(dir, 'l2', name)).mode & 0o777).toBe(0o600);
    }
    await engine.close();
  });

  it('publishes each lookup outcome per tier on the cache channel', async () => {
    const events: CacheEvent[] = [];
    const listen = (e: unknown) => events.push(e as CacheEvent);
    cacheChannel.subscribe(listen);
    try {
      const dir = tempDir();
      const first = createEngine({ config: testConfig(dir), clock: new ManualClock(), warn: () => {} });
      await collect(first.stream(op(), upstream(pages).fetch));
      await first.close();
      const second = createEngine({ config: testConfig(dir), clock: new ManualClock(), warn: () => {} });
      await collect(second.stream(op(), upstream(pages).fetch));
      await collect(second.stream(op(), upstream(pages).fetch));
      await second.close();
    } finally {
      cacheChannel.unsubscribe(listen);
    }
    expect(events.map((e) => `${e.tier}:${e.outcome}`)).toEqual([
      'memory:miss', 'disk:miss', 'disk:set', 'memory:set',
      'memory:miss', 'disk:hit', 'memory:set',
      'memory:hit',
    ]);
  });
});

describe('engine invalidation and listing', () => {
  async function seeded() {
    const dir = tempDir();
    const clock = new ManualClock();
    const engine = createEngine({ config: testConfig(dir), clock, warn: () => {} });
    const scopes = [
      { service: 'ec2', name: 'DescribeInstances', region: 'us-east-1' },
      { service: 'ec2', name: 'DescribeVolumes', region: 'eu-west-1' },
      { service: 's3', name: 'ListObjectsV2', region: 'us-east-1' },
    ];
    for (const s of scopes) {
      await collect(engine.stream({ service: s.service, name: s.name, params: {}, scope: { profile: 'prod', region: s.region } }, upstream(pages).fetch));
    }
    return { engine, clock, dir };
  }

  it('removes the matching entries from every tier and counts them', async () => {
    const { engine } = await seeded();
    expect(await engine.invalidate('aws:prod:*:ec2:*')).toBe(4); // 2 keys × (memory + disk)
    const left = await collect(engine.entries());
    expect(new Set(left.map((e) => e.key.split(':')[3]))).toEqual(new Set(['s3']));
    await engine.close();
  });

  it('lists entries per tier with size, age and TTL left', async () => {
    const { engine, clock } = await seeded();
    clock.advance(30_000);
    const list = await collect(engine.entries('aws:*:*:s3:*'));
    expect(list.map((e) => e.tier).sort()).toEqual(['disk', 'memory']);
    for (const e of list) {
      expect(e.key).toMatch(/^aws:prod:us-east-1:s3:ListObjectsV2:(b:)?[0-9a-f]{20}$/);
      expect(e.ageMs).toBe(30_000);
      expect(e.ttlLeftMs).toBe(30_000); // default rule aws:*:*:s3:* is 1 minute
      expect(e.bytes).toBeGreaterThan(0);
    }
    await engine.close();
  });

  it('rejects a malformed glob with a usage error naming the accepted forms', async () => {
    const { engine } = await seeded();
    const err = await engine.invalidate('aws:[ec2').catch((e) => e);
    expect(err).toBeInstanceOf(StrataError);
    expect(err.exitCode).toBe(2);
    expect(err.hint).toMatch(/'\*' any run of characters/);
    await engine.close();
  });

  it('keeps hit and miss history across processes in the stats', async () => {
    const { engine, dir, clock } = await seeded();
    await engine.close();
    const again = createEngine({ config: testConfig(dir), clock, warn: () => {} });
    await collect(again.stream({ service: 's3', name: 'ListObjectsV2', params: {}, scope: { profile: 'prod', region: 'us-east-1' } }, upstream(pages).fetch));
    const stats = await again.stats();
    expect(stats.find((s) => s.tier === 'memory')).toMatchObject({ hits: 0, misses: 4, entries: 1 });
    expect(stats.find((s) => s.tier === 'disk')).toMatchObject({ hits: 1, misses: 3, hitRatio: 0.25, entries: 3 });
    await again.clear();
    expect((await again.stats()).find((s) => s.tier === 'disk')).toMatchObject({ hits: 0, entries: 0 });
    await again.close();
  });
});
