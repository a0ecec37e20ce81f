// dist/strata.cjs, what bin/strata.js runs: install the code cache for dist/lib, then load the CLI
// bundle and run it. Kept tiny: nothing here may cost what the cache saves.
//
// The cache lives in <cache dir>/code (the cache dir from $STRATA_CACHE_DIR, else the default; a
// cache.dir in the config file is not read this early). STRATA_CODE_CACHE=0 turns it off.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { commandWords, isFirstWord } from '../cli/command-words.js';
import { defaultCacheDir } from '../config/schema.js';
import { installCodeCache } from './code-cache.js';

declare const require: NodeJS.Require;

const env = process.env;
if (env.STRATA_CODE_CACHE !== '0') {
  const cacheDir = join(env.STRATA_CACHE_DIR || defaultCacheDir(env, homedir()), 'code', `${process.version}-${process.arch}`);
  // the command word (count, s3, tasks, __complete …) picks the cache: each holds its own path;
  // no word, or one that names no command (a typo), shares '_'
  const word = commandWords(process.argv.slice(2))[0];
  const variant = isFirstWord(word) ? word : '_';
  const codeCache = installCodeCache({ libDir: join(__dirname, 'lib'), cacheDir, variant });
  process.once('exit', () => codeCache.flush());
}
(require('./lib/core.cjs') as typeof import('../main.js')).main();
