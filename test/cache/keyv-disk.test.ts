import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Keyv from 'keyv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiskStore } from '../../src/cache/disk.js';
import { keyvDiskStore } from '../../src/cache/keyv-disk.js';

const store = (dir: string) => {
  const disk = new DiskStore({ dir, maxBytes: 1e9, now: () => Date.now() });
  disk.init();
  return disk;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('the disk tier as a Keyv store', () => {
  it('keeps values through a real Keyv, across store instances, with delete, clear and Keyv expiry', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-keyv-disk-'));
    const keyv = new Keyv({ store: keyvDiskStore(store(dir)), namespace: 'app' });
    const big = { rows: Array.from({ length: 500 }, (_, i) => ({ i, name: `row ${i}` })) };
    expect(await keyv.set('small', { a: 1, when: 'now' })).toBe(true);
    expect(await keyv.set('big', big)).toBe(true);
    expect(await keyv.get('small')).toEqual({ a: 1, when: 'now' });

    const again = new Keyv({ store: keyvDiskStore(store(dir)), namespace: 'app' });
    expect(await again.get('big')).toEqual(big);
    expect(fs.readdirSync(path.join(dir, 'l2')).filter((f) => /\.[et]$/.test(f)).sort()).toEqual(['app%3Abig.e', 'app%3Asmall.t']);

    expect(await again.delete('small')).toBe(true);
    expect(await again.get('small')).toBeUndefined();

    vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    await again.set('short', 'lived', 1_000);
    expect(await again.get('short')).toBe('lived');
    vi.setSystemTime(Date.now() + 1_001);
    expect(await again.get('short')).toBeUndefined();

    const disk = store(dir);
    const w = disk.writer('aws:default:us-east-1:ec2:DescribeRegions:abc', Date.now())!;
    w.append('[{"RegionName":"eu-west-1"}]');
    w.commit(1);
    await again.clear();
    expect(await keyv.get('big')).toBeUndefined();
    expect(disk.read('aws:default:us-east-1:ec2:DescribeRegions:abc')).toBeDefined(); // the engine's entry stays
  });

  it('refuses a key too long for a file name instead of throwing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-keyv-disk-'));
    const keyv = new Keyv({ store: keyvDiskStore(store(dir)) });
    expect(await keyv.set('k'.repeat(400), 1)).toBe(false);
  });
});
