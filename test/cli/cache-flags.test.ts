// --no-cache, --refresh, --ttl and --stats through the CLI, in process: `s3 ls` against s3rver on
// loopback (its reads go through the engine), a temp cache dir, and Date faked (timers stay real)
// so entry ages are exact. Date starts at the real now and moves a few minutes at most: part of
// the request signing still sees the real clock, and S3 refuses a skew over 15 minutes.
// Objects are added behind strata's back, so only a read shows them.

import diagnostics_channel from 'node:diagnostics_channel';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import S3rver from 's3rver';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { closeClients, s3Client } from '../../src/aws/clients.js';
import { cacheChannel, requestChannel, type CacheEvent, type RequestEvent } from '../../src/metrics/channels.js';
import { runCli } from '../helpers/run-cli.js';

// The SDK signs with the process's credentials; s3rver accepts any key.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
delete process.env.AWS_PROFILE;

let server: InstanceType<typeof S3rver>;
let root: string;
let endpoint: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-flags-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(root, 's3'), configureBuckets: [{ name: 'data' }] });
  const { port } = (await server.run()) as { port: number };
  endpoint = `http://127.0.0.1:${port}`;
  // one rule for the listing, so what --ttl overrides is explicit
  writeFileSync(join(root, 'config.yaml'), "cache:\n  ttl:\n    - { match: 'aws:*:*:s3:ListObjectsV2:*', ttl: 1m }\n");
});
afterAll(async () => {
  closeClients();
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now());
  const cache = mkdtempSync(join(root, 'cache-'));
  env = { HOME: join(root, 'home'), STRATA_CONFIG: join(root, 'config.yaml'), STRATA_CACHE_DIR: cache, AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
});
afterEach(() => {
  vi.useRealTimers();
});

const later = (ms: number) => vi.setSystemTime(Date.now() + ms);

async function put(Key: string): Promise<void> {
  const client = await s3Client({ profile: 'default', region: 'us-east-1', endpoint });
  await client.send(new PutObjectCommand({ Bucket: 'data', Key, Body: 'x' }));
}

/** `s3 ls <prefix>` with extra flags: the keys listed, the ListObjectsV2 requests sent, the cache events. */
async function ls(prefix: string, ...flags: string[]) {
  const requests: RequestEvent[] = [];
  const cache: CacheEvent[] = [];
  const onRequest = (m: unknown) => (m as RequestEvent).operation.endsWith('ListObjectsV2') && requests.push(m as RequestEvent);
  const onCache = (m: unknown) => cache.push(m as CacheEvent);
  diagnostics_channel.subscribe(requestChannel.name, onRequest);
  diagnostics_channel.subscribe(cacheChannel.name, onCache);
  try {
    const r = await runCli(['-o', 'json', 's3', 'ls', `s3://data/${prefix}`, ...flags], { env });
    expect(r.code, r.stderr).toBe(0);
    const keys = (JSON.parse(r.stdout) as { Key: string }[]).map((o) => o.Key);
    return { keys, requests: requests.filter((e) => e.outcome === 'ok').length, cache, stderr: r.stderr };
  } finally {
    diagnostics_channel.unsubscribe(requestChannel.name, onRequest);
    diagnostics_channel.unsubscribe(cacheChannel.name, onCache);
  }
}

/** The entry files of the disk tier: name → bytes and mtime (an entry's createdAt). */
function entries(): Record<string, string> {
  const l2 = join(env.STRATA_CACHE_DIR!, 'l2');
  let names: string[] = [];
  try {
    names = readdirSync(l2).filter((n) => /\.[et]$/.test(n));
  } catch {
    // no disk tier yet
  }
  return Object.fromEntries(names.map((n) => [n, `${readFileSync(join(l2, n)).toString('base64')}@${statSync(join(l2, n)).mtimeMs}`]));
}

describe('cache flags through the CLI', () => {
  it('--no-cache neither reads nor writes the cache', async () => {
    await put('nc/1.txt');
    // on an empty cache: fetched, nothing stored
    expect(await ls('nc/', '--no-cache')).toMatchObject({ keys: ['nc/1.txt'], requests: 1, cache: [] });
    expect(entries()).toEqual({});
    expect(await ls('nc/')).toMatchObject({ keys: ['nc/1.txt'], requests: 1 });
    const stored = entries();
    expect(Object.keys(stored)).toHaveLength(1);
    await put('nc/2.txt');
    later(1_000);
    // with a fresh entry: fetched anyway (sees the new object), entry untouched
    expect(await ls('nc/', '--no-cache')).toMatchObject({ keys: ['nc/1.txt', 'nc/2.txt'], requests: 1, cache: [] });
    expect(entries()).toEqual(stored);
    // the entry still answers the default mode: the uncached read did not replace it
    expect(await ls('nc/')).toMatchObject({ keys: ['nc/1.txt'], requests: 0 });
  });

  it('--refresh refetches a fresh entry and rewrites it', async () => {
    await put('rf/1.txt');
    await ls('rf/');
    const before = entries();
    await put('rf/2.txt');
    later(5_000); // past the 2 s window in which a refresh reuses a just-written entry
    expect(await ls('rf/')).toMatchObject({ keys: ['rf/1.txt'], requests: 0 });
    expect(await ls('rf/', '--refresh')).toMatchObject({ keys: ['rf/1.txt', 'rf/2.txt'], requests: 1 });
    const after = entries();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after).not.toEqual(before);
    expect(await ls('rf/')).toMatchObject({ keys: ['rf/1.txt', 'rf/2.txt'], requests: 0 });
  });

  it('--ttl overrides the rule, shorter or longer', async () => {
    await put('ttl/1.txt');
    await ls('ttl/');
    await put('ttl/2.txt');
    later(30_000); // fresh under the 1 m rule
    expect(await ls('ttl/')).toMatchObject({ keys: ['ttl/1.txt'], requests: 0 });
    expect(await ls('ttl/', '--ttl', '10s')).toMatchObject({ keys: ['ttl/1.txt', 'ttl/2.txt'], requests: 1 });
    await put('ttl/3.txt');
    later(90_000); // the entry written by the --ttl read is now 90 s old: stale under the rule
    expect(await ls('ttl/', '--ttl', '1h')).toMatchObject({ keys: ['ttl/1.txt', 'ttl/2.txt'], requests: 0 });
    expect(await ls('ttl/')).toMatchObject({ keys: ['ttl/1.txt', 'ttl/2.txt', 'ttl/3.txt'], requests: 1 });
  });

  it('--stats prints per-tier hits, misses, hit ratio and evictions of the run', async () => {
    await put('st/1.txt');
    const first = await ls('st/', '--stats');
    expect(first.stderr).toMatch(/^cache memory +hits 0 +misses 1 +hit ratio +0\.0% +evictions 0$/m);
    expect(first.stderr).toMatch(/^cache disk +hits 0 +misses 1 +hit ratio +0\.0% +evictions 0$/m);
    expect(first.stderr).toMatch(/^cache hit ratio 0\.0% of 1 lookup$/m);
    const second = await ls('st/', '--stats');
    expect(second.requests).toBe(0);
    expect(second.stderr).toMatch(/^cache disk +hits 1 +misses 0 +hit ratio 100\.0% +evictions 0$/m);
    expect(second.stderr).toMatch(/^cache hit ratio 100\.0% of 1 lookup$/m);
  });
});
