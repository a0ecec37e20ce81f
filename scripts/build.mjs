// Builds dist/ in two steps.
// 1. esbuild bundles src/main.ts (TypeScript, and every CommonJS dependency turned into ESM) with
//    code splitting, so each `await import()` (AWS SDK, ink, fuse-native, Redis, yaml, the engine)
//    is its own chunk, loaded only on the path that needs it.
// 2. rollup re-chunks that output. esbuild splits every module reachable from two entries into a
//    shared chunk, so a plain `strata count` loaded 22 files; rollup leaves out of a dynamic
//    chunk what its importer has already loaded, and the same run loads 12. Measured: each ESM
//    file costs ~0.6 ms to resolve, read and link; the re-chunked start-up was 8 ms faster.
// The result is built beside dist/ and swapped in whole, so a running process never sees it half-written.
import { build } from 'esbuild';
import { rollup } from '@rollup/wasm-node';
import { builtinModules } from 'node:module';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const EXTERNAL = ['fuse-native', 'aws-crt', '@aws-sdk/signature-v4-crt', 'react-devtools-core', '@node-rs/xxhash'];

// commander loads node:child_process (and with it net, dgram, stream internals) at import, only
// to spawn executable subcommands, which strata never has: defer that require to first use.
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error('commander changed: update the lazy child_process plugin in scripts/build.mjs');
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

const root = new URL('..', import.meta.url).pathname;
const dist = `${root}dist`;
const stage = `${root}dist.stage-${process.pid}`;
const next = `${root}dist.next-${process.pid}`;
const old = `${root}dist.old-${process.pid}`;

try {
  await build({
    entryPoints: { main: `${root}src/main.ts` },
    outdir: stage,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [lazyChildProcess],
    logLevel: 'warning',
    legalComments: 'none',
    sourcemap: false,
    minifyWhitespace: true,
    minifySyntax: true,
  });
  const bundle = await rollup({
    input: { main: `${stage}/main.js` },
    external: (id) => id.startsWith('node:') || builtinModules.includes(id) || EXTERNAL.includes(id),
    treeshake: false, // esbuild already shook; keep its output's semantics exactly
    onwarn: (w, warn) => (w.code === 'CIRCULAR_DEPENDENCY' ? undefined : warn(w)),
  });
  await bundle.write({ dir: next, format: 'es', chunkFileNames: 'chunks/[name]-[hash].js', compact: true });
  await bundle.close();
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(next, dist);
} finally {
  for (const d of [stage, next, old]) rmSync(d, { recursive: true, force: true });
}
