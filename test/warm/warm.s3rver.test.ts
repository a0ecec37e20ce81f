// A real warm run: s3rver on loopback, the CLI in process, the cache in a temp dir.
import diagnostics_channel from 'node:diagnostics_channel';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { closeClients, s3Client } from '../../src/aws/clients.js';
import { cacheChannel, requestChannel, type CacheEvent } from '../../src/metrics/channels.js';
import { acquireWarmLock, warmLocks, WARM_LOCK_KEY } from '../../src/warm/warmer.js';
import { runCli } from '../helpers/run-cli.js';

// The SDK signs requests with the process's credentials; s3rver accepts any key.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
delete process.env.AWS_PROFILE;

let server: InstanceType<typeof S3rver>;
let dir: string;
let env: NodeJS.ProcessEnv;
let list: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-warm-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 'data'), configureBuckets: [{ name: 'data' }, { name: 'logs' }] });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  env = { HOME: join(dir, 'home'), STRATA_CACHE_DIR: join(dir, 'cache'), AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  const client = await s3Client({ profile: 'default', region: 'us-east-1', endpoint });
  for (const Key of ['a.txt', 'logs/1.log', 'logs/2.log']) await client.send(new PutObjectCommand({ Bucket: 'data', Key, Body: 'x' }));
  list = join(dir, 'warm.txt');
  writeFileSync(list, '# what I read every morning\ns3 buckets\ns3 ls s3://data/\n');
});
afterAll(async () => {
  closeClients();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI and notes every upstream request and cache outcome published meanwhile. */
async function observed(argv: string[]) {
  const requests: unknown[] = [];
  const cache: CacheEvent[] = [];
  const onRequest = (m: unknown) => requests.push(m);
  const onCache = (m: unknown) => cache.push(m as CacheEvent);
  diagnostics_channel.subscribe(requestChannel.name, onRequest);
  diagnostics_channel.subscribe(cacheChannel.name, onCache);
  try {
    return { ...(await runCli(argv, { env })), requests, cache };
  } finally {
    diagnostics_channel.unsubscribe(requestChannel.name, onRequest);
    diagnostics_channel.unsubscribe(cacheChannel.name, onCache);
  }
}

describe('cache warm against s3rver', () => {
  it('a dry run plans the list and fetches nothing', async () => {
    const r = await observed(['-o', 'json', 'cache', 'warm', '--list', list, '--dry-run']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      expect.objectContaining({ command: 's3 buckets', source: `${list} line 2`, status: 'missing', entries: 1, refreshed: 1 }),
      expect.objectContaining({ command: 's3 ls s3://data/', source: `${list} line 3`, status: 'missing', entries: 1, refreshed: 1 }),
    ]);
    expect(r.requests).toEqual([]);
  });

  it('warms the listed commands, after which the same command is a cache hit with no request', async () => {
    const warm = await observed(['-o', 'json', 'cache', 'warm', '--list', list]);
    expect(warm.stderr).toBe('');
    expect(warm.code).toBe(0);
    const [summary] = JSON.parse(warm.stdout);
    expect(summary).toMatchObject({ warmed: 2, skippedFresh: 0, failed: 0, requests: 2 });
    expect(summary.ms).toBeGreaterThanOrEqual(0);

    const ls = await observed(['-o', 'json', 's3', 'ls', 's3://data/']);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout).map((r: { Key?: string; Prefix?: string }) => r.Key ?? r.Prefix)).toEqual(['a.txt', 'logs/']);
    expect(ls.requests).toEqual([]);
    expect(ls.cache.filter((e) => e.outcome === 'hit').map((e) => e.tier)).toEqual(['disk']);
  });

  it('a second warm finds everything fresh and makes no request', async () => {
    const r = await observed(['-o', 'json', 'cache', 'warm', '--list', list, '--ahead', '30s']);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ warmed: 0, skippedFresh: 2, failed: 0, requests: 0 });
    expect(r.requests).toEqual([]);
  });

  it('entries expiring within --ahead are refreshed', async () => {
    // S3 listings live 1m (buckets 10m): with --ahead 5m the listing of data/ expires too soon.
    // (Its refresh may reuse the entry just written, within the engine's 2 s refresh window.)
    const r = await observed(['-o', 'json', '-v', 'cache', 'warm', '--list', list, '--ahead', '5m']);
    const [buckets, ls, summary] = JSON.parse(r.stdout);
    expect([buckets.status, ls.status]).toEqual(['fresh', 'warmed']);
    expect(summary).toMatchObject({ warmed: 1, skippedFresh: 1, failed: 0 });
  });

  it('a failing line is counted and reported; the others are warmed', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 's3 ls s3://no-such-bucket/\ns3 ls s3://logs/\n');
    const r = await observed(['-o', 'json', 'cache', 'warm', '--list', bad]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ warmed: 1, failed: 1 });
    expect(r.stderr).toMatch(/warm: `s3 ls s3:\/\/no-such-bucket\/` failed: .*NoSuchBucket|does not exist/);
  });

  it('refuses to run while another warmer holds the lock, and names it', async () => {
    const lock = acquireWarmLock(env.STRATA_CACHE_DIR!);
    try {
      const r = await observed(['-o', 'json', 'cache', 'warm', '--list', list]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`another cache warm is running on .* \\(pid ${process.pid} on`));
      expect(r.requests).toEqual([]);
    } finally {
      lock.release();
    }
  });

  it("takes over a crashed warmer's lock (its pid is gone)", async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const file = warmLocks(env.STRATA_CACHE_DIR!).fileOf(WARM_LOCK_KEY);
    mkdirSync(join(env.STRATA_CACHE_DIR!, 'locks'), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), token: 'crashed' }));
    const r = await observed(['-o', 'json', 'cache', 'warm', '--list', list]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ failed: 0 });
  });

  it('--endpoint-url, --region and --profile given to cache warm apply to each line that does not set its own', async () => {
    const endpoint = env.AWS_ENDPOINT_URL!;
    const plain: NodeJS.ProcessEnv = { ...env, STRATA_CACHE_DIR: join(dir, 'cache-scope') };
    delete plain.AWS_ENDPOINT_URL;
    delete plain.AWS_REGION;
    const scoped = join(dir, 'scoped.txt');
    writeFileSync(scoped, 's3 ls s3://data/\ns3 ls s3://logs/ --endpoint-url http://127.0.0.1:9 --region us-east-1\n');
    const r = await runCli(['-o', 'json', '-v', '--endpoint-url', endpoint, '--region', 'us-east-1', 'cache', 'warm', '--list', scoped], { env: plain });
    const [first, second, summary] = JSON.parse(r.stdout);
    // the first line ran against s3rver; the second kept its own (unreachable) endpoint
    expect(first).toMatchObject({ command: 's3 ls s3://data/', status: 'warmed' });
    expect(second).toMatchObject({ status: 'failed' });
    expect(summary).toMatchObject({ warmed: 1, failed: 1 });
    const config = join(dir, 'team.yaml');
    writeFileSync(config, 'output: json\n');
    const cron = await runCli(['--config', config, '--endpoint-url', endpoint, '--region', 'eu-west-1', 'cache', 'warm', '--every', '15m', '--print-cron', '--list', scoped], { env: plain });
    expect(cron.code).toBe(0);
    expect(cron.stdout).toContain(`cache warm --quiet --no-progress --config ${config} --region eu-west-1 --endpoint-url ${endpoint} --list ${scoped}`);
  });

  it('an unreadable list or an unknown command in it is a usage error naming it', async () => {
    const missing = await observed(['cache', 'warm', '--list', join(dir, 'nope.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the warm list .*nope\.txt \(ENOENT\)/);
    const bad = join(dir, 'unknown.txt');
    writeFileSync(bad, 's3 buckets\ns3 lss s3://data/\n');
    const unknown = await observed(['cache', 'warm', '--list', bad]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`${bad} line 2`);
    expect(unknown.requests).toEqual([]);
  });
});
