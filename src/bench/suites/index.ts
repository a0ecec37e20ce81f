// The registry of benchmark suites, imported lazily: `strata bench cache` loads only the cache
// suite. Adding a suite is one line here plus its file in this folder.

import type { Suite } from '../types.js';

export interface SuiteEntry {
  name: string;
  load(): Promise<{ suite: Suite }>;
}

export const suiteEntries: readonly SuiteEntry[] = [
  { name: 'cache', load: () => import('./cache.js') },
  { name: 'scheduler', load: () => import('./scheduler.js') },
  { name: 'startup', load: () => import('./startup.js') },
  { name: 'aws', load: () => import('./aws.js') },
  { name: 'tasks', load: () => import('./tasks.js') },
  { name: 'mount', load: () => import('./mount.js') },
  { name: 'warm', load: () => import('./warm.js') },
];
