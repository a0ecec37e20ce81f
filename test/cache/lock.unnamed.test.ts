import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockDir } from '../../src/cache/lock.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'strata-lock-'));
const T = 1_700_000_000_000;

describe('lock files naming no holder', () => {
  it('a lock whose holder could not be written (full disk) is removed and its descriptor closed', () => {
    const dir = tempDir();
    const opened: number[] = [];
    const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const full = {
      ...fs,
      openSync: ((...args: Parameters<typeof fs.openSync>) => {
        const fd = fs.openSync(...args);
        opened.push(fd);
        return fd;
      }) as typeof fs.openSync,
      writeSync: (() => {
        throw enospc;
      }) as typeof fs.writeSync,
    };
    const locks = new LockDir({ dir, now: () => T, fs: full });
    locks.init();
    expect(() => locks.tryAcquire('k')).toThrow(enospc);
    expect(fs.existsSync(locks.fileOf('k'))).toBe(false);
    expect(opened).toHaveLength(1);
    expect(() => fs.fstatSync(opened[0])).toThrow(expect.objectContaining({ code: 'EBADF' }));
    // the next process gets the lock at once
    const other = new LockDir({ dir, now: () => T });
    expect(other.tryAcquire('k')).toBeDefined();
  });

  it.each([
    ['an empty', ''],
    ['a torn', '{"pid":12'],
  ])('%s lock file is held for a short grace, then taken over (not after 30 s)', (_, text) => {
    const dir = tempDir();
    let now = T;
    const locks = new LockDir({ dir, now: () => now, staleMs: 30_000 });
    locks.init();
    const file = locks.fileOf('k');
    fs.writeFileSync(file, text);
    fs.utimesSync(file, T / 1000, T / 1000);
    now = T + 500; // its writer may be between open and write
    expect(locks.tryAcquire('k')).toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    now = T + 2_500;
    const lock = locks.tryAcquire('k');
    expect(lock).toBeDefined();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    lock!.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a waiter stops waiting on an unnamed lock once the grace has passed', async () => {
    const dir = tempDir();
    let now = T + 500;
    const locks = new LockDir({ dir, now: () => now, pollMs: 1 });
    locks.init();
    const file = locks.fileOf('k');
    fs.writeFileSync(file, '');
    fs.utimesSync(file, T / 1000, T / 1000);
    const waiting = locks.waitWhileHeld('k');
    let done = false;
    void waiting.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    now = T + 2_500;
    await waiting;
  }, 5_000);
});
