// Builds dist/ with esbuild: one ESM entry for the CLI with code splitting, so every
// `await import()` (AWS SDK, ink, fuse-native, Redis) is its own chunk, loaded only on the
// path that needs it. Native and optional modules stay external.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  external: ['fuse-native', 'aws-crt', '@aws-sdk/signature-v4-crt', 'react-devtools-core'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  legalComments: 'none',
  sourcemap: false,
});
