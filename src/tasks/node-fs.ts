// The real file system behind TaskFs. `readHead` reads only the start of a file, enough for the
// front matter, so listing never pulls large bodies into memory.

import fs from 'node:fs';
import type { TaskFs } from './types.js';

/** Front matter of real task files is ~1 KB; 16 KB covers nearly all in one read. */
const HEAD_BYTES = 16 * 1024;
const CLOSING_FENCE = /\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;
/** One buffer for every head read (reads are synchronous): no 16 KB allocation per file. */
const headBuffer = Buffer.allocUnsafe(HEAD_BYTES);
const MISSING_OK = { throwIfNoEntry: false } as const;

export const nodeTaskFs: TaskFs = {
  readdir(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({ name: e.name, isDir: e.isDirectory() }));
  },
  stat(path) {
    const st = fs.statSync(path, MISSING_OK);
    return st && { size: st.size, mtimeMs: st.mtimeMs, isDir: st.isDirectory() };
  },
  statFiles(prefix, names, size, mtime) {
    for (let i = 0; i < names.length; i++) {
      const st = fs.statSync(prefix + names[i], MISSING_OK);
      if (st === undefined || st.isDirectory()) {
        size[i] = -1;
        mtime[i] = -1;
      } else {
        size[i] = st.size;
        mtime[i] = st.mtimeMs;
      }
    }
  },
  readHead(path) {
    const fd = fs.openSync(path, 'r');
    try {
      const st = fs.fstatSync(fd);
      const n = st.size === 0 ? 0 : fs.readSync(fd, headBuffer, 0, Math.min(st.size, HEAD_BYTES), 0);
      let head = headBuffer.subarray(0, n);
      if (n < st.size && !CLOSING_FENCE.test(head.toString('latin1'))) {
        const all = Buffer.allocUnsafe(st.size);
        head = all.subarray(0, fs.readSync(fd, all, 0, st.size, 0));
      }
      return { text: head.toString('utf8'), size: st.size, mtimeMs: st.mtimeMs, binary: head.includes(0) };
    } finally {
      fs.closeSync(fd);
    }
  },
  readFile(path) {
    return fs.readFileSync(path);
  },
};
