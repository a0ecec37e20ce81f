// --warm <glob>: at mount time, in the background, fetch every object under the mount whose path
// matches the glob into the disk block cache, as `warming` work (the lowest class: foreground
// reads and read-ahead go first, aging keeps it moving). Progress goes to the caller.

import picomatch from 'picomatch';
import type { ObjectStore } from './object-store.js';
import type { BlockReader } from './reader.js';
import type { MountStats } from './stats.js';

export async function warmMatching(opts: {
  globs: string[];
  prefix: string;
  store: ObjectStore;
  reader: BlockReader;
  stats: MountStats;
  signal: AbortSignal;
  progress: (message: string) => void;
}): Promise<void> {
  const { stats } = opts;
  const match = picomatch(opts.globs, { dot: true });
  const files: Array<{ key: string; etag: string; size: number }> = [];
  stats.warm.running = true;
  try {
    for await (const { key, head } of opts.store.listRecursive(opts.prefix, 'warming')) {
      if (opts.signal.aborted) return;
      if (!key.endsWith('/') && match(key.slice(opts.prefix.length))) files.push({ key, etag: head.etag, size: head.size });
    }
    stats.warm.files = files.length;
    const total = files.reduce((s, f) => s + f.size, 0);
    opts.progress(`warming ${files.length} file(s), ${mib(total)} MiB`);
    for (const f of files) {
      if (opts.signal.aborted) return;
      stats.warm.bytes += await opts.reader.warm(f, opts.signal);
      stats.warm.done++;
      opts.progress(`warmed ${stats.warm.done}/${files.length}: ${f.key.slice(opts.prefix.length)} (${mib(stats.warm.bytes)} MiB so far)`);
    }
  } finally {
    stats.warm.running = false;
  }
}

const mib = (n: number) => (n / 1048576).toFixed(1);
