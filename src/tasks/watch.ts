// `tasks watch`: chokidar reports file-system events; each burst (events within SETTLE_MS) ends
// in one refresh of the store (changes made while chokidar was starting are caught by a refresh
// once it is ready). Changes are diffed against the last state emitted, so writes made through
// this same store (which refresh it themselves) are reported too: added, changed or removed, by
// path, size and mtime and then the record. A file that is not a valid task (at the start, or
// once it turns invalid) goes to `onProblem`, once per path and reason. Runs until the signal
// aborts, then closes the watcher and saves the index.

import type { TaskStore } from './store.js';
import type { TaskChange, TaskProblem } from './types.js';

/** Editors write a file in several steps; wait this long for a burst to settle. */
const SETTLE_MS = 50;

export async function* watchStore(store: TaskStore, signal: AbortSignal, onProblem: (p: TaskProblem) => void = () => {}): AsyncGenerator<TaskChange> {
  if (signal.aborted) return;
  let reported = new Set<string>();
  const reportProblems = () => {
    const now = new Set<string>();
    for (const p of store.problems) {
      const key = `${p.path}\n${p.line}\n${p.reason}`;
      now.add(key);
      if (!reported.has(key)) onProblem(p);
    }
    reported = now;
  };
  const { watch } = await import('chokidar');
  const watcher = watch(store.dir, {
    ignoreInitial: true,
    ignored: (p, stats) => {
      const base = p.slice(p.lastIndexOf('/') + 1);
      if (base.startsWith('.')) return p !== store.dir;
      return !!stats?.isFile() && !base.endsWith('.md');
    },
  });
  let wake: (() => void) | undefined;
  let pending = false;
  let failure: unknown;
  const poke = () => {
    pending = true;
    wake?.();
  };
  watcher.on('all', poke);
  watcher.on('error', (err) => {
    failure = err;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    let last = store.snapshot();
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    await store.refresh(false);
    reportProblems();
    for (const change of store.diffSince(last)) yield change;
    last = store.snapshot();
    while (!signal.aborted) {
      if (!pending && failure === undefined) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (failure !== undefined) throw failure;
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      pending = false;
      await store.refresh(false);
      reportProblems();
      const changes = store.diffSince(last);
      last = store.snapshot();
      for (const change of changes) yield change;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await watcher.close();
    await store.refresh(true);
  }
}
