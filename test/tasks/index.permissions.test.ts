import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTaskFolder } from '../../src/tasks/generate.js';
import { indexPathFor } from '../../src/tasks/index-file.js';
import { openTaskStore } from '../../src/tasks/store.js';
import { tempDir } from './helpers.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('the persisted task index in a fresh cache dir', () => {
  it('creates the cache and index folders 0700 and the index file 0600', async () => {
    const dir = tempDir('perm-tasks');
    const cacheDir = path.join(tempDir('perm-cache'), 'cache');
    generateTaskFolder(dir, 3);
    const store = await openTaskStore({ dir, cacheDir });
    store.close();
    const file = indexPathFor(cacheDir, dir);
    expect(mode(cacheDir)).toBe(0o700);
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
  });
});
