// Live metrics of long-running strata processes (a mount, a warming daemon): each publishes its
// snapshot to <cacheDir>/live/<pid>.json every second (atomic replace), and `perf dashboard`
// reads them. A file whose process is gone is ignored, so a crash leaves no ghost on screen.

import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../bench/atomic-write.js';
import type { Metrics, MetricsSnapshot } from './metrics.js';

export interface LiveSnapshot extends MetricsSnapshot {
  /** What the process is, e.g. 'mount s3://bucket /mnt/x'. */
  title?: string;
}

export const liveDir = (cacheDir: string) => join(cacheDir, 'live');

export async function publishLive(cacheDir: string, snapshot: LiveSnapshot): Promise<void> {
  await mkdir(liveDir(cacheDir), { recursive: true });
  await writeFileAtomic(join(liveDir(cacheDir), `${snapshot.pid}.json`), JSON.stringify(snapshot));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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
    if ((opts.pid !== undefined && pid !== opts.pid) || !alive(pid)) continue;
    try {
      out.push(JSON.parse(await readFile(join(liveDir(cacheDir), name), 'utf8')));
    } catch {
      // replaced or removed between readdir and read: skip this round
    }
  }
  return out.sort((a, b) => b.at - a.at);
}

/** Publishes `metrics` every `intervalMs` until the returned stop() (which removes the file). */
export function startLivePublisher(
  cacheDir: string,
  metrics: Metrics,
  opts: { title?: string; intervalMs?: number; onError?: (e: unknown) => void } = {},
): () => Promise<void> {
  const publish = () => publishLive(cacheDir, { ...metrics.snapshot(), title: opts.title }).catch((e) => opts.onError?.(e));
  void publish();
  const timer = setInterval(publish, opts.intervalMs ?? 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await rm(join(liveDir(cacheDir), `${process.pid}.json`), { force: true });
  };
}
