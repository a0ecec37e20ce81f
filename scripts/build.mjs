// Builds dist/ with esbuild: one ESM entry for the CLI with code splitting, so every
// `await import()` (AWS SDK, ink, fuse-native, Redis) is its own chunk, loaded only on the
// path that needs it. Native and optional modules stay external.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { existsSync, renameSync, rmSync } from 'node:fs';

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

// Built beside dist/ and swapped in, so a process loading chunks meanwhile never sees an empty dist/.
const dist = new URL('../dist', import.meta.url);
const next = new URL(`../dist.next-${process.pid}`, import.meta.url);
const old = new URL(`../dist.old-${process.pid}`, import.meta.url);
await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: next.pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  external: ['fuse-native', 'aws-crt', '@aws-sdk/signature-v4-crt', 'react-devtools-core'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [lazyChildProcess],
  logLevel: 'warning',
  legalComments: 'none',
  sourcemap: false,
});
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
