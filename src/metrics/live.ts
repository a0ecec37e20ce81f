// Live metrics of long-running strata processes (a mount, a warming daemon): each publishes its
// snapshot to <cacheDir>/live/<pid>.json every second (atomic replace), and `perf dashboard`
// reads them. A file whose process is gone is ignored, so a crash leaves no ghost on screen.

import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { MetricsSnapshot } from './metrics.js';
import { isAlive } from '../util/pid.js';

export interface LiveSnapshot extends MetricsSnapshot {
  /** What the process is, e.g. 'mount s3://bucket /mnt/x'. */
  title?: string;
}

export const liveDir = (cacheDir: string) => join(cacheDir, 'live');

export async function publishLive(cacheDir: string, snapshot: LiveSnapshot): Promise<void> {
  await mkdir(liveDir(cacheDir), { recursive: true });
  await writeFileAtomic(join(liveDir(cacheDir), `${snapshot.pid}.json`), JSON.stringify(snapshot));
}


/** Snapshots of the live processes, newest first; only `pid` when given. */
export async function readLive(cacheDir: string, opts: { pid?: number } = {}): Promise<LiveSnapshot[]> {
  let names: string[];
  try {
    names = await readdir(liveDir(cacheDir));
  } catch {
    return [];
  }
  const out: LiveSnapshot[] = [];
  for (const name of names) {
    const m = /^(\d+)\.json$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if ((opts.pid !== undefined && pid !== opts.pid) || !isAlive(pid)) continue;
    try {
      out.push(JSON.parse(await readFile(join(liveDir(cacheDir), name), 'utf8')));
    } catch {
      // replaced or removed between readdir and read: skip this round
    }
  }
  return out.sort((a, b) => b.at - a.at);
}

/**
 * Publishes `source.snapshot()` every `intervalMs` until the returned stop(), which waits for a
 * write in progress and then removes the file. Any long-running process uses it: the warm daemon
 * with its Metrics, a mount with its own figures.
 */
export function startLivePublisher(
  cacheDir: string,
  source: { snapshot(): object },
  opts: { title?: string; intervalMs?: number; onError?: (e: unknown) => void } = {},
): () => Promise<void> {
  let writing: Promise<void> | undefined;
  const publish = () => {
    writing ??= publishLive(cacheDir, { pid: process.pid, ...source.snapshot(), ...(opts.title ? { title: opts.title } : {}) } as LiveSnapshot)
      .catch((e) => opts.onError?.(e))
      .finally(() => (writing = undefined));
  };
  publish();
  const timer = setInterval(publish, opts.intervalMs ?? 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await writing;
    await rm(join(liveDir(cacheDir), `${process.pid}.json`), { force: true });
  };
}
