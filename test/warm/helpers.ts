// A private build of the CLI for child-process tests: the same esbuild settings as
// scripts/build.mjs (code splitting, so lazy imports are separate chunks), into a temp dir, so
// tests never touch dist/. Chunks holding the AWS SDK can be deleted to prove a path never loads it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export interface Bundle {
  dir: string;
  entry: string;
  /** Output files whose inputs include the AWS SDK. */
  sdkChunks: string[];
  remove(): void;
}

export async function bundleCli(): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bundle-'));
  const src = join(dir, 'entry.ts');
  writeFileSync(src, `import { main } from ${JSON.stringify(resolve('src/main.ts'))};\nmain();\n`);
  const result = await build({
    entryPoints: { strata: src },
    outdir: join(dir, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['fuse-native', 'aws-crt', '@aws-sdk/signature-v4-crt', 'react-devtools-core'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'error',
  });
  const sdkChunks = Object.entries(result.metafile.outputs)
    .filter(([, o]) => Object.keys(o.inputs).some((i) => i.includes('node_modules/@aws-sdk/client-')))
    .map(([file]) => resolve(file));
  return { dir, entry: join(dir, 'dist', 'strata.mjs'), sdkChunks, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
