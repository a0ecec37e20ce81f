// V8 code cache for strata's own CommonJS bundles. Node 20 has no compile cache (22 has
// module.enableCompileCache), so every start parsed and compiled the CLI again: about a third of
// a short command's cost over `node -e 0`.
//
// While installed, every file under `libDir` that Node's CommonJS loader compiles goes through
// vm.Script with the cached data of an earlier run. When there was none, or V8 rejected it
// (another Node or V8 flags), `flush()` — called at exit, or earlier by a long run just before it
// changes V8's flags (then `freeze()` stops all later writes) — serialises what this run compiled
// so far, so the cache holds the functions the command used. The cache file is named after the
// bundle's build id (a random `/*strata-build:…*/` the build writes on its first line: V8 checks
// only a source's length, so size or mtime could let a same-length rebuild run the old code) and
// a variant (the command word: each command keeps a cache of its own path); a bundle without a
// build id is not cached. Files are written atomically; other builds' caches go once a day old.
// Cached data is compiled code, so it is only read from a regular file this user owns and nobody
// else may write, and only written into a folder that is the same (0700 folder, 0600 files),
// with O_EXCL temp files and O_NOFOLLOW reads, even in a shared $STRATA_CACHE_DIR.

import Module from 'node:module';
import { closeSync, constants as fsc, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

export type CacheUse = 'created' | 'accepted' | 'rejected';

export interface CodeCache {
  /** What happened to each bundle compiled so far. */
  readonly loads: ReadonlyArray<{ file: string; cache: CacheUse }>;
  /** Writes the caches this run had to create or replace. Synchronous: it runs at process exit. */
  flush(): void;
  /** Writes nothing more: V8's flags are about to change, and a cache made after would not load. */
  freeze(): void;
  /** Restores Node's own compile (tests). */
  uninstall(): void;
}

interface CjsModule {
  exports: unknown;
  _compile(content: string, filename: string): unknown;
}

export function installCodeCache(opts: { libDir: string; cacheDir: string; variant: string }): CodeCache {
  const proto = (Module as unknown as { prototype: CjsModule }).prototype;
  const nodeCompile = proto._compile;
  const loads: Array<{ file: string; cache: CacheUse }> = [];
  const toWrite: Array<{ script: Script; bundle: string; stamp: string }> = [];
  let frozen = false;
  const variant = opts.variant.replace(/[^\w-]/g, '_').slice(0, 32) || '_';

  proto._compile = function (this: CjsModule, content: string, filename: string) {
    if (!filename.startsWith(opts.libDir + sep)) return nodeCompile.call(this, content, filename);
    const stamp = BUILD_ID.exec(content.slice(0, 64))?.[1];
    if (!stamp) return nodeCompile.call(this, content, filename);
    const bundle = basename(filename);
    const cachedData = readOwnFile(cachePath(opts.cacheDir, bundle, variant, stamp));
    // no importModuleDynamically: on Node 20 it needs a flag or warns; bundles must not import()
    const script = new Script(Module.wrap(content), { filename, cachedData });
    const cache: CacheUse = !cachedData ? 'created' : script.cachedDataRejected ? 'rejected' : 'accepted';
    loads.push({ file: filename, cache });
    if (cache !== 'accepted' && !frozen) toWrite.push({ script, bundle, stamp });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };

  return {
    loads,
    flush() {
      for (const { script, bundle, stamp } of toWrite.splice(0)) writeCache(opts.cacheDir, bundle, variant, stamp, () => script.createCachedData());
    },
    freeze() {
      frozen = true;
      toWrite.length = 0;
    },
    uninstall() {
      proto._compile = nodeCompile;
    },
  };
}

const cachePath = (dir: string, bundle: string, variant: string, stamp: string) => join(dir, `${bundle}.${variant}.${stamp}.v8`);

/** How long the caches of a bundle's other builds are kept. */
const OTHER_BUILDS_KEPT_MS = 24 * 60 * 60 * 1000;

const BUILD_ID = /\/\*strata-build:([0-9a-f]{8,})\*\//;

/** Whether `st` is this user's and writable by no one else (always, where there are no uids). */
function ownedAndPrivate(st: { uid: number; mode: number }): boolean {
  const uid = process.getuid?.();
  return uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0);
}

/** The file's bytes when it is a regular file, this user's and writable by no one else. */
function readOwnFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    // no symlink followed, and a FIFO planted there cannot block the open
    fd = openSync(file, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch {
    return undefined; // no cache yet
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedAndPrivate(st)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Best effort: a cache that cannot be written only costs the next run its speed-up. */
function writeCache(dir: string, bundle: string, variant: string, stamp: string, data: () => Buffer): void {
  const cacheFile = cachePath(dir, bundle, variant, stamp);
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || !ownedAndPrivate(st)) return; // someone else's folder: never write there
    writeFileSync(tmp, data(), { mode: 0o600, flag: 'wx' }); // serialised only when it can be kept
    renameSync(tmp, cacheFile);
    // caches of this bundle's other builds, once a day old: an earlier build's are dead weight,
    // while another install sharing this folder keeps its own instead of both rewriting each run
    const old = Date.now() - OTHER_BUILDS_KEPT_MS;
    for (const f of readdirSync(dir)) {
      if (!f.startsWith(`${bundle}.`) || !f.endsWith('.v8') || f.endsWith(`.${stamp}.v8`)) continue;
      const other = join(dir, f);
      if (lstatSync(other).mtimeMs < old) rmSync(other, { force: true });
    }
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the folder itself is unusable: nothing was written
    }
  }
}
