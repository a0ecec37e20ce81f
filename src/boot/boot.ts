// dist/strata.cjs, what bin/strata.js runs: tune the heap, install the code cache for dist/lib,
// then load the CLI bundle and run it. Kept tiny: nothing here may cost what the cache saves.
//
// The cache lives in <cache dir>/code (the cache dir from $STRATA_CACHE_DIR, else the default; a
// cache.dir in the config file is not read this early). STRATA_CODE_CACHE=0 turns it off.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { commandWords, isFirstWord } from '../cli/command-words.js';
import { defaultCacheDir } from '../config/schema.js';
import { installCodeCache } from './code-cache.js';

declare const require: NodeJS.Require;

/** Commands that answer at once (completion scripts, tab completion, docs). */
const QUICK_WORDS = new Set(['completion', '__complete', '__docs']);

const env = process.env;
// the command word (count, s3, tasks, __complete …)
const word = commandWords(process.argv.slice(2))[0];

// Memory stays flat in streams: V8 lets the old generation grow to up to 4× the live heap before
// its next full collection, so a 100k-key listing whose live heap is ~13 MB carried ~45 MB of
// dead pages (peak RSS 130–135 MB). 1.5× (Go's GOGC=50) holds it at ~111 MB for a few ms more
// marking (docs/performance.md). Not for no command (--version, --help) or one that answers at
// once: they never collect, and loading node:v8 costs ~1–3 ms. Set before any bundle is compiled:
// V8's code cache records the flags it was made under, and a flag changed later rejects it.
if (word !== undefined && !QUICK_WORDS.has(word)) {
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--heap-growing-percent=50');
}

if (env.STRATA_CODE_CACHE !== '0') {
  const cacheDir = join(env.STRATA_CACHE_DIR || defaultCacheDir(env, homedir()), 'code', `${process.version}-${process.arch}`);
  // each command word keeps a cache of its own path; no word, or one that names no command (a
  // typo), shares '_'
  const variant = isFirstWord(word) ? word : '_';
  const codeCache = installCodeCache({ libDir: join(__dirname, 'lib'), cacheDir, variant });
  process.once('exit', () => codeCache.flush());
}
(require('./lib/core.cjs') as typeof import('../main.js')).main();
