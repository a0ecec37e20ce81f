import { describe, expect, it } from 'vitest';
import { createBoundedCache } from '../../src/cache/memory.js';
import type { EvictionPolicy } from '../../src/config/schema.js';
import { zipfTrace } from '../../src/bench/suites/cache.js';

const POLICIES: EvictionPolicy[] = ['sieve', 'lru', 'lfu', 'ttl'];

async function make(policy: EvictionPolicy, maxEntries: number, maxBytes = 1e9) {
  const evicted: string[] = [];
  const cache = await createBoundedCache<string>(policy, { maxEntries, maxBytes, onEvict: (k) => evicted.push(k) });
  return { cache, evicted };
}

describe('L1 policies', () => {
  for (const policy of POLICIES) {
    it(`${policy}: never holds more than maxEntries and reports each eviction`, async () => {
      const { cache, evicted } = await make(policy, 3);
      for (let i = 0; i < 10; i++) cache.set(`k${i}`, `v${i}`, 1, 1000 + i);
      expect(cache.size).toBe(3);
      expect(evicted).toHaveLength(7);
      expect(new Set([...cache.keys(), ...evicted]).size).toBe(10);
    });

    it(`${policy}: never holds more than maxBytes and refuses an entry larger than the bound`, async () => {
      const { cache } = await make(policy, 100, 10);
      cache.set('a', 'x', 4, 1);
      cache.set('b', 'x', 4, 2);
      cache.set('c', 'x', 4, 3);
      expect(cache.bytes).toBeLessThanOrEqual(10);
      expect(cache.set('huge', 'x', 11, 4)).toBe(false);
      expect(cache.get('huge')).toBeUndefined();
      cache.delete('c');
      cache.clear();
      expect(cache.size).toBe(0);
      expect(cache.bytes).toBe(0);
    });
  }

  it('sieve: a visited entry survives the hand once, an unvisited one is evicted', async () => {
    const { cache, evicted } = await make('sieve', 3);
    cache.set('a', 'a', 1);
    cache.set('b', 'b', 1);
    cache.set('c', 'c', 1);
    cache.get('a');
    cache.set('d', 'd', 1);
    expect(evicted).toEqual(['b']);
    cache.set('e', 'e', 1);
    expect(evicted).toEqual(['b', 'c']);
  });

  it('lru: evicts the least recently used', async () => {
    const { cache, evicted } = await make('lru', 2);
    cache.set('a', 'a', 1);
    cache.set('b', 'b', 1);
    cache.get('a');
    cache.set('c', 'c', 1);
    expect(evicted).toEqual(['b']);
  });

  it('lfu: evicts the least frequently used, oldest first among equals', async () => {
    const { cache, evicted } = await make('lfu', 3);
    cache.set('a', 'a', 1);
    cache.set('b', 'b', 1);
    cache.set('c', 'c', 1);
    cache.get('a');
    cache.get('a');
    cache.get('c');
    cache.set('d', 'd', 1);
    expect(evicted).toEqual(['b']);
    cache.set('e', 'e', 1);
    expect(evicted).toEqual(['b', 'd']);
  });

  it('ttl: evicts the entry closest to expiry, whatever its use', async () => {
    const { cache, evicted } = await make('ttl', 2);
    cache.set('long', 'x', 1, 9_000);
    cache.set('short', 'x', 1, 1_000);
    cache.get('short');
    cache.set('mid', 'x', 1, 5_000);
    expect(evicted).toEqual(['short']);
  });

  it('sieve beats lru on a skewed (Zipf 0.99) trace', async () => {
    const trace = zipfTrace(200_000, 20_000, 0.99);
    const ratio = async (policy: EvictionPolicy) => {
      const { cache } = await make(policy, 2_000);
      let hits = 0;
      for (const k of trace) {
        const key = String(k);
        if (cache.get(key) !== undefined) hits++;
        else cache.set(key, key, 1);
      }
      return hits / trace.length;
    };
    const [sieve, lru] = [await ratio('sieve'), await ratio('lru')];
    expect(sieve).toBeGreaterThan(lru + 0.02);
  });
});
