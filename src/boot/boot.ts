// dist/strata.cjs, what bin/strata.js runs: install the code cache for dist/lib, load the CLI
// bundle and run it, and tune the heap of a command that runs long. Kept tiny: nothing here may
// cost what the cache saves.
//
// The cache lives in <cache dir>/code (the cache dir from $STRATA_CACHE_DIR, else the default; a
// cache.dir in the config file is not read this early). STRATA_CODE_CACHE=0 turns it off.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { commandWords, isFirstWord } from '../cli/command-words.js';
import { defaultCacheDir } from '../config/schema.js';
import { installCodeCache, type CodeCache } from './code-cache.js';

declare const require: NodeJS.Require;

/** A command still running after this long streams or serves enough for its heap to matter. */
const LONG_RUN_MS = 250;

const env = process.env;
let codeCache: CodeCache | undefined;
if (env.STRATA_CODE_CACHE !== '0') {
  const cacheDir = join(env.STRATA_CACHE_DIR || defaultCacheDir(env, homedir()), 'code', `${process.version}-${process.arch}`);
  // the command word (count, s3, tasks, __complete …) picks the cache: each holds its own path;
  // no word, or one that names no command (a typo), shares '_'
  const word = commandWords(process.argv.slice(2))[0];
  const variant = isFirstWord(word) ? word : '_';
  codeCache = installCodeCache({ libDir: join(__dirname, 'lib'), cacheDir, variant });
  process.once('exit', () => codeCache?.flush());
}

// Memory stays flat in long streams: V8 lets the old generation grow to up to 4× the live heap
// before its next full collection, so a 100k-key listing whose live heap is ~13 MB carried ~45 MB
// of dead pages (peak RSS 130–135 MB). 1.5× (Go's GOGC=50) holds it at ~110 MB for a few ms more
// marking (docs/design.md, docs/aws.md). Only once a command has run LONG_RUN_MS: a changed V8
// flag makes V8 reject the code caches it meets afterwards (Node's own, for modules loaded later,
// and ours), ~10 ms on a short command; set at 1 s it no longer lowers the peak. Our caches still
// pending are written first, under the flags they will be read with, and no later one is written.
setTimeout(() => {
  codeCache?.flush();
  codeCache?.freeze();
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--heap-growing-percent=50');
}, LONG_RUN_MS).unref();

(require('./lib/core.cjs') as typeof import('../main.js')).main();
