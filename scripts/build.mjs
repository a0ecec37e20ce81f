// Builds dist/ with esbuild:
//   dist/strata.cjs        the boot (src/boot/boot.ts): installs V8's code cache, loads the CLI
//   dist/import-esm.cjs    import() for the bundles compiled through the code cache
//   dist/lib/core.cjs      the CLI: all of src/ and its light dependencies, one CommonJS file
//   dist/lib/aws-s3.cjs    @aws-sdk/client-s3 with @aws-sdk/lib-storage
//   dist/lib/aws-ec2.cjs   @aws-sdk/client-ec2
//   dist/lib/http.cjs      @smithy/node-http-handler
//   dist/lib/redis.cjs, rate-limiter.cjs, yaml.cjs   the shared tier's client, its rate limiter, YAML
//   dist/lib/dashboard/    `perf dashboard` (ESM: ink has top-level await), imported through import-esm.cjs
// Why CommonJS and one core file: Node 20 can reuse V8's compiled code only for scripts it
// compiles through vm.Script, which CommonJS allows and ESM does not; and a command that loads one
// file instead of a dozen ESM chunks skips their resolution and linking. Code inside core.cjs that
// a command does not use is never compiled (esbuild wraps each module in a lazy initialiser), so
// the one file costs its reading and little else. The AWS SDK and ink stay in bundles of their
// own, required only by the commands that use them, so a cached read never loads the SDK.
// The result is built beside dist/ and swapped in whole, so a running process never sees it half-written.
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/** Optional or native packages: never bundled, required from node_modules if at all. */
const EXTERNAL = ['fuse-native', 'aws-crt', '@aws-sdk/signature-v4-crt', 'react-devtools-core', '@node-rs/xxhash'];

/** The bundles of their own, and the packages each one stands for in core.cjs. */
const VENDOR = {
  'aws-s3': ['@aws-sdk/client-s3', '@aws-sdk/lib-storage'],
  'aws-ec2': ['@aws-sdk/client-ec2'],
  http: ['@smithy/node-http-handler'],
  redis: ['@keyv/redis'],
  'rate-limiter': ['rate-limiter-flexible'],
  yaml: ['yaml'],
};
/** Vendor packages whose default export strata uses (`export *` leaves it out). */
const DEFAULT_EXPORT = ['@keyv/redis', 'rate-limiter-flexible', 'yaml'];

const root = new URL('..', import.meta.url).pathname;
const dist = `${root}dist`;
const next = `${root}dist.next-${process.pid}`;
const old = `${root}dist.old-${process.pid}`;

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  external: EXTERNAL,
  legalComments: 'none',
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
};

/**
 * CommonJS output. Its first line is "use strict" (the sources are ES modules, strict by
 * definition) and the build id the code cache keys on (src/boot/code-cache.ts). CommonJS has no
 * import.meta: its url is the file's, from scripts/module-url.mjs, injected into each bundle.
 */
const buildId = randomBytes(8).toString('hex');
const cjs = {
  ...common,
  format: 'cjs',
  define: { 'import.meta.url': '__strata_module_url' },
  inject: [`${root}scripts/module-url.mjs`],
  banner: { js: `"use strict";/*strata-build:${buildId}*/` },
};

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

// The bundles in dist/lib are compiled through vm.Script (the code cache), where import() fails on
// Node 20. So an `await import()` of a built-in or an external package becomes a require(), and in
// core.cjs so does one of a vendor package (the vendor bundle is required). The one ESM part, the
// dashboard, is imported through dist/import-esm.cjs, which Node compiles itself.
const requireInsteadOfImport = (vendors) => ({
  name: 'require-instead-of-import',
  setup(b) {
    const vendorOf = new Map(Object.entries(vendors).flatMap(([bundle, pkgs]) => pkgs.map((p) => [p, bundle])));
    const isBuiltin = (p) => p.startsWith('node:') || builtinModules.includes(p);
    for (const namespace of ['required', 'esm-bridge']) b.onResolve({ filter: /.*/, namespace }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /\/metrics\/dashboard\.js$/ }, () => ({ path: 'dashboard', namespace: 'esm-bridge' }));
    b.onResolve({ filter: /.*/ }, (args) => {
      if (vendorOf.has(args.path)) return { path: `./${vendorOf.get(args.path)}.cjs`, namespace: 'required' };
      if (args.kind === 'dynamic-import' && (isBuiltin(args.path) || EXTERNAL.includes(args.path))) return { path: args.path, namespace: 'required' };
      return undefined;
    });
    // An ESM re-export, not `module.exports = require()`: esbuild then builds the namespace once,
    // where a CommonJS stand-in is copied into a fresh namespace object at every import().
    b.onLoad({ filter: /.*/, namespace: 'required' }, (args) => {
      const from = JSON.stringify(args.path);
      return { contents: `export * from ${from}; export { default } from ${from};`, loader: 'js' };
    });
    b.onLoad({ filter: /.*/, namespace: 'esm-bridge' }, () => ({
      contents: `const url = require("node:url").pathToFileURL(require("node:path").join(__dirname, "dashboard", "dashboard.mjs")).href;
exports.runDashboard = async (...args) => (await require("../import-esm.cjs").default(url)).runDashboard(...args);`,
      loader: 'js',
    }));
  },
});

/** A string-literal import() left in a vm-compiled bundle would fail when reached: refuse the build. */
async function assertNoImport(file) {
  const found = /[^\w.$]import\(\s*("[^"]+"|'[^']+'|`[^`$]+`)\s*\)/.exec(await readFile(file, 'utf8'));
  if (found) throw new Error(`${file} still has ${found[0].slice(1)}: map it in scripts/build.mjs`);
}

try {
  await Promise.all([
    build({ ...cjs, entryPoints: [`${root}src/boot/boot.ts`], outfile: `${next}/strata.cjs`, external: ['./lib/core.cjs'] }),
    build({ ...cjs, entryPoints: [`${root}src/boot/import-esm.ts`], outfile: `${next}/import-esm.cjs` }),
    build({ ...cjs, entryPoints: [`${root}src/main.ts`], outfile: `${next}/lib/core.cjs`, plugins: [lazyChildProcess, requireInsteadOfImport(VENDOR)] }),
    ...Object.entries(VENDOR).map(([bundle, pkgs]) =>
      build({
        ...cjs,
        stdin: {
          contents: pkgs.map((p) => `export * from ${JSON.stringify(p)};${DEFAULT_EXPORT.includes(p) ? ` export { default } from ${JSON.stringify(p)};` : ''}`).join('\n'),
          resolveDir: root,
          loader: 'js',
        },
        outfile: `${next}/lib/${bundle}.cjs`,
        plugins: [requireInsteadOfImport({})],
      }),
    ),
    build({
      ...common,
      format: 'esm',
      splitting: true, // the ink view is its own chunk: dashboard.ts hides $CI while importing it
      entryPoints: { dashboard: `${root}src/metrics/dashboard.ts` },
      outdir: `${next}/lib/dashboard`,
      outExtension: { '.js': '.mjs' },
      chunkNames: '[name]-[hash]',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    }),
  ]);
  for (const bundle of ['core', ...Object.keys(VENDOR)]) await assertNoImport(`${next}/lib/${bundle}.cjs`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(next, dist);
} finally {
  for (const d of [next, old]) rmSync(d, { recursive: true, force: true });
}
