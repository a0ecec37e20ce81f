// A task folder's index is its entry in the cache: listed, invalidated and cleared by the cache
// commands, and counted by --stats as a disk lookup (hit, stale, miss, refresh).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-tasks-cache-'));
  const dir = path.join(root, 'tasks');
  fs.mkdirSync(dir);
  const old = new Date(Date.now() - 3_600_000);
  for (const id of ['a', 'b']) {
    const file = path.join(dir, `${id}.md`);
    fs.writeFileSync(file, `---\nid: ${id}\ntitle: Task ${id}\nstatus: todo\n---\n`);
    fs.utimesSync(file, old, old);
  }
  const env = { HOME: '/nonexistent-home', STRATA_CACHE_DIR: path.join(root, 'cache') };
  const cli = (argv: string[]) => runCli(argv, { env });
  const entries = async () => JSON.parse((await cli(['cache', 'ls', 'tasks:*', '-o', 'json'])).stdout) as Record<string, unknown>[];
  return { dir, cli, entries };
}

describe('the task index in the cache', () => {
  it('is listed by cache ls, dropped by cache invalidate and cache clear, and rebuilt by the next read', async () => {
    const { dir, cli, entries } = setup();
    expect(await entries()).toEqual([]);
    expect((await cli(['tasks', 'ls', '--dir', dir])).code).toBe(0);
    const [entry] = await entries();
    expect(entry).toEqual({ key: expect.stringMatching(/^tasks:[0-9a-f]{16}:index$/), tier: 'disk', bytes: expect.any(Number), ageMs: expect.any(Number), ttlLeftMs: null });

    const invalidated = await cli(['cache', 'invalidate', 'tasks:*', '-o', 'json']);
    expect(JSON.parse(invalidated.stdout)).toEqual([{ pattern: 'tasks:*', removed: 1 }]);
    expect(await entries()).toEqual([]);
    expect((await cli(['tasks', 'ls', '--dir', dir])).code).toBe(0);
    expect(await entries()).toHaveLength(1);

    const other = await cli(['cache', 'invalidate', 'aws:*', '-o', 'json']);
    expect(JSON.parse(other.stdout)).toEqual([{ pattern: 'aws:*', removed: 0 }]);
    expect(await entries()).toHaveLength(1);

    const stats = JSON.parse((await cli(['cache', 'stats', '-o', 'json'])).stdout) as Record<string, unknown>[];
    expect(stats.find((t) => t.tier === 'disk')).toMatchObject({ entries: 1, bytes: entry.bytes });
    const cleared = await cli(['cache', 'clear', '-o', 'json']);
    expect(JSON.parse(cleared.stdout)).toContainEqual({ tier: 'disk', removed: 1 });
    expect(await entries()).toEqual([]);
  });

  it('shows in --stats as a disk lookup: miss, then hit, then stale after an edit, refresh with --refresh', async () => {
    const { dir, cli } = setup();
    const disk = async (...extra: string[]) => {
      const res = await cli(['tasks', 'ls', '--dir', dir, '--stats', ...extra]);
      expect(res.code).toBe(0);
      return /^cache disk +(.*)$/m.exec(res.stderr)?.[1].replace(/ +/g, ' ');
    };
    expect(await disk()).toBe('hits 0 misses 1 hit ratio 0.0% evictions 0');
    expect(await disk()).toBe('hits 1 misses 0 hit ratio 100.0% evictions 0');
    fs.writeFileSync(path.join(dir, 'a.md'), '---\nid: a\ntitle: Task a, edited\nstatus: done\n---\n');
    fs.utimesSync(path.join(dir, 'a.md'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    // stale: the index was used, and the one changed file read again
    expect(await disk()).toBe('hits 0 misses 0 hit ratio - evictions 0 stale 1');
    expect(await disk()).toBe('hits 1 misses 0 hit ratio 100.0% evictions 0');
    expect(await disk('--refresh')).toBe('hits 0 misses 1 hit ratio 0.0% evictions 0');
    expect(await disk('--no-cache')).toBeUndefined();
  });
});
