// Hot reload for long-running commands: watches the config file and hands each valid new
// config to the subscriber; an invalid edit is reported and the old config stays in force.

import { existsSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Config } from './schema.js';
import { configFromText, type LoadOptions } from './load.js';

interface ConfigWatcher {
  close(): void;
}

export function watchConfig(
  path: string,
  opts: LoadOptions,
  onConfig: (config: Config) => void,
  onError: (err: Error) => void,
  debounceMs = 100,
): ConfigWatcher {
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const reload = async () => {
    if (!existsSync(path)) return;
    try {
      const text = await readFile(path, 'utf8');
      if (text === last) return;
      const config = await configFromText(text, path, opts);
      last = text;
      onConfig(config);
    } catch (err) {
      onError(err as Error);
    }
  };
  // Watch the directory: editors replace files by rename, which a file watch would lose.
  const watcher: FSWatcher = watch(dirname(path), (_event, name) => {
    if (name !== basename(path)) return;
    clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  });
  readFile(path, 'utf8').then((t) => (last = t), () => undefined);
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
