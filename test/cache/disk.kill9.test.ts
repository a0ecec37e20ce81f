// kill -9 in the middle of an entry, for real: a child process streams a large entry through
// DiskStore and is SIGKILLed while its temp file is open; the parent then reads the key.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiskStore } from '../../src/cache/disk.js';
import { tempDir } from '../engine/fixtures/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const KEY = 'aws:default:us-east-1:s3:ListObjectsV2:logs:0123456789abcdef0123';
/** The age after which a sweep removes a temp file (disk.ts TMP_ORPHAN_MS is 10 min). */
const ORPHAN_AGE_MS = 11 * 60_000;
let script: string;

beforeAll(async () => {
  script = path.join(tempDir('strata-child-'), 'killed-writer.mjs');
  await build({ entryPoints: [path.join(here, 'fixtures/killed-writer.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: script, logLevel: 'silent' });
});

/** Starts the writer on `dir`, waits (bounded) until it is mid-entry, SIGKILLs it and waits for its end. */
async function killMidWrite(dir: string): Promise<void> {
  const child = spawn(process.execPath, [script, dir, KEY], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer never started: ${err}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      if (!(out += d).includes('writing')) return;
      clearTimeout(timer);
      resolve();
    });
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

function setup() {
  const dir = tempDir();
  let now = Date.now();
  const store = new DiskStore({ dir, maxBytes: 1e9, now: () => now });
  store.init();
  const temps = () => fs.readdirSync(store.dir).filter((n) => n.startsWith('.tmp-'));
  return { dir, store, temps, later: (ms: number) => (now += ms) };
}

function write(store: DiskStore, chunks: string[]): void {
  const w = store.writer(KEY, Date.now())!;
  for (const c of chunks) w.append(c);
  w.commit(chunks.length);
}

describe('a writer killed with SIGKILL mid-entry', () => {
  it('leaves a miss, never a crash or a partial entry; the key works again; a later sweep removes the temp file', async () => {
    const { dir, store, temps, later } = setup();
    await killMidWrite(dir);
    // it really died mid-write: a temp file of several frames, no entry under the key
    expect(temps()).toHaveLength(1);
    expect(fs.statSync(path.join(store.dir, temps()[0])).size).toBeGreaterThan(1 << 20);
    expect(store.read(KEY)).toBeUndefined();
    expect([...store.list()]).toEqual([]);

    const chunks = ['[{"Key":"a"}]', '[{"Key":"b"}]'];
    write(store, chunks);
    expect([...store.read(KEY)!.chunks()]).toEqual(chunks);
    // that commit swept (first write here): the orphan is young enough to be a live writer's, so it stays
    expect(temps()).toHaveLength(1);
    later(ORPHAN_AGE_MS);
    store.sweep();
    expect(temps()).toEqual([]);
    expect([...store.read(KEY)!.chunks()]).toEqual(chunks);
  });

  it('leaves the entry it was replacing whole', async () => {
    const { dir, store } = setup();
    const before = ['[{"Key":"old"}]'];
    write(store, before);
    await killMidWrite(dir);
    const e = store.read(KEY)!;
    expect(e.records).toBe(1);
    expect([...e.chunks()]).toEqual(before);
  });
});
