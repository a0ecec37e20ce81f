// Shared fixtures for the task tests: temp folders, a counting file-system wrapper, task text.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeTaskFs } from '../../src/tasks/node-fs.js';
import type { TaskFs } from '../../src/tasks/types.js';
import { afterAll } from 'vitest';

const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The task file the issue gives as the format (a copy of seeds/002). */
export const SEED = fs.readFileSync(new URL('./fixtures/seed.md', import.meta.url), 'utf8');
export const EXAMPLES = new URL('../../examples/tasks/', import.meta.url).pathname;

/** A fresh folder under the OS temp dir, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `strata-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Sets a file's (or folder's) mtime far in the past, as after a checkout, so it is not "racy". */
export function age(p: string, msAgo = 3_600_000): void {
  const t = new Date(Date.now() - msAgo);
  fs.utimesSync(p, t, t);
}

export function writeTask(dir: string, name: string, text: string, old = true): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  if (old) age(file);
  return file;
}

export function task(id: string, fields: Record<string, string> = {}, body = '\nBody.\n'): string {
  const lines = Object.entries({ id, title: `Title of ${id}`, status: 'todo', priority: 'medium', ...fields }).map(([k, v]) => `${k}: ${v}`);
  return `---\n${lines.join('\n')}\n---\n${body}`;
}

/** The real file system, counting the files whose content is read. */
export function countingFs(): TaskFs & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readdir: (d) => nodeTaskFs.readdir(d),
    stat: (p) => nodeTaskFs.stat(p),
    statFiles: (prefix, names, size, mtime) => nodeTaskFs.statFiles(prefix, names, size, mtime),
    readHead: (p) => {
      reads.push(path.basename(p));
      return nodeTaskFs.readHead(p);
    },
    readFile: (p) => {
      reads.push(path.basename(p));
      return nodeTaskFs.readFile(p);
    },
  };
}
