// Safe writes of task files. Every write goes to a temp file in the same folder, is fsynced and
// renamed over the target (or hard-linked for a new file, so two creators of one name cannot
// both win). A short-lived lock file (`.<name>.lock`, created exclusively) serialises writers of
// one task; inside it the file is re-read and compared with the version the change was based
// on, so a change made meanwhile — by strata or by an editor — is refused, never overwritten.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runtimeError } from '../errors.js';

/** A lock older than this belongs to a crashed writer and is broken. */
const STALE_LOCK_MS = 30_000;
/** How long a writer waits for another writer of the same task. */
const LOCK_WAIT_MS = 5_000;
const LOCK_POLL_MS = 10;

export function versionOf(content: Buffer | string): string {
  return createHash('sha1').update(content).digest('hex');
}

function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

function writeDurable(tmp: string, text: string): void {
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates `file` atomically; false when it already exists. */
export function createExclusive(file: string, text: string): boolean {
  const tmp = tempNameFor(file);
  writeDurable(tmp, text);
  try {
    fs.linkSync(tmp, file);
    syncDir(path.dirname(file));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Replaces `file` with `next(current)` if its content still has version `expected`, under the
 * task's lock; throws TASK_CONFLICT when it changed, and returns the new content otherwise.
 */
export async function replaceIfUnchanged(file: string, expected: string, next: (current: string) => string, id: string): Promise<string> {
  const release = await lock(file, id);
  try {
    let current: Buffer;
    try {
      current = fs.readFileSync(file);
    } catch {
      throw runtimeError('TASK_CONFLICT', `task '${id}' was removed while being changed`, 'Run `tasks ls` to see the current tasks.');
    }
    if (versionOf(current) !== expected) {
      throw runtimeError('TASK_CONFLICT', `task '${id}' (${file}) changed since it was read; not overwriting`, 'Run `tasks show` to see the new content, then repeat the change.');
    }
    const text = next(current.toString('utf8'));
    const tmp = tempNameFor(file);
    try {
      writeDurable(tmp, text);
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw runtimeError('TASK_WRITE_FAILED', `cannot write ${file}: ${(err as Error).message}`, 'Check that the folder is writable.', err);
    }
    syncDir(path.dirname(file));
    return text;
  } finally {
    release();
  }
}

async function lock(file: string, id: string): Promise<() => void> {
  const lockFile = path.join(path.dirname(file), `.${path.basename(file)}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lockFile, 'wx'));
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const st = fs.statSync(lockFile, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw runtimeError('TASK_CONFLICT', `task '${id}' is being changed by another writer`, `Try again, or remove ${lockFile} if no strata process is running.`);
    }
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}
