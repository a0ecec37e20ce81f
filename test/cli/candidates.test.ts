import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidates, type Candidate } from '../../src/cli/candidates.js';
import type { CommandContext } from '../../src/cli/types.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import type { Operation } from '../../src/engine/types.js';
import { queuedFile } from '../../src/warm/background.js';
import { collect, tempDir, testConfig } from '../engine/fixtures/config.js';
import { bundleCli, type Bundle } from '../warm/helpers.js';

const scope = (region: string) => ({ profile: 'default', region });
const ops: [Operation, Record<string, unknown>[]][] = [
  [{ service: 'ec2', name: 'DescribeInstances', params: {}, scope: scope('eu-west-1') }, [
    { InstanceId: 'i-0aaa', Name: 'web', State: { Name: 'running' } },
    { InstanceId: 'i-0bbb', State: { Name: 'stopped' } },
  ]],
  [{ service: 'ec2', name: 'DescribeInstances', params: { Filters: [{ Name: 'tag:env', Values: ['prod'] }] }, scope: scope('us-east-1') }, [
    { InstanceId: 'i-0ccc', Name: 'db', State: { Name: 'running' } },
    { InstanceId: 'i-0aaa', Name: 'web', State: { Name: 'running' } },
  ]],
  [{ service: 'ec2', name: 'DescribeVolumes', params: {}, scope: scope('eu-west-1') }, [{ VolumeId: 'vol-01', Name: 'data', Size: 100 }]],
  [{ service: 'ec2', name: 'DescribeSecurityGroups', params: {}, scope: scope('eu-west-1') }, [{ GroupId: 'sg-01', GroupName: 'web' }]],
  [{ service: 'ec2', name: 'DescribeRegions', params: {}, scope: scope('us-east-1') }, [{ RegionName: 'mx-central-1' }]],
  [{ service: 's3', name: 'ListBuckets', params: {}, scope: scope('us-east-1') }, [{ Name: 'data' }, { Name: 'logs' }]],
  [{ service: 's3', name: 'ListObjectsV2', params: { Bucket: 'data', Delimiter: '/' }, scope: scope('us-east-1') }, [
    { Type: 'prefix', Prefix: 'logs/', Bucket: 'data' },
    { Type: 'object', Key: 'a.txt', Size: 3, Bucket: 'data' },
  ]],
  [{ service: 's3', name: 'ListObjectsV2', params: { Bucket: 'data' }, scope: scope('us-east-1') }, [
    { Type: 'object', Key: 'logs/2024/01.log', Size: 5, Bucket: 'data' },
    { Type: 'object', Key: 'logs/2024/02.log', Size: 5, Bucket: 'data' },
    { Type: 'object', Key: 'logs/index.txt', Size: 9, Bucket: 'data' },
  ]],
];

let dir: string;
let engine: Engine;

async function seed(cacheDir: string): Promise<Engine> {
  const e = createEngine({ config: testConfig(cacheDir), warn: () => undefined });
  for (const [op, records] of ops) await collect(e.stream(op, async function* () { yield* records; }));
  return e;
}

function ctx(cacheDir: string, e: Engine, over: Partial<CommandContext['globals']> = {}): CommandContext {
  return {
    globals: { profile: 'default', ...over },
    config: testConfig(cacheDir),
    io: { env: { PATH: process.env.PATH, STRATA_CACHE_DIR: cacheDir, HOME: cacheDir }, cwd: cacheDir },
    services: { engine: async () => e },
  } as unknown as CommandContext;
}

const answer = async (kind: string, prefix: string, c = ctx(dir, engine)): Promise<Candidate[]> => collect(candidates(kind, prefix, c));

beforeAll(async () => {
  dir = tempDir('strata-complete-');
  engine = await seed(dir);
});

describe('completion candidates from the cache', () => {
  it('instance ids from every cached listing, deduplicated, with the Name tag and state as description', async () => {
    expect(await answer('instance-id', 'i-')).toEqual([
      { value: 'i-0aaa', description: 'web · running' },
      { value: 'i-0bbb', description: 'stopped' },
      { value: 'i-0ccc', description: 'db · running' },
    ]);
  });

  it('narrow to the typed prefix and to --region when given', async () => {
    expect((await answer('instance-id', 'i-0c')).map((c) => c.value)).toEqual(['i-0ccc']);
    expect((await answer('instance-id', 'i-', ctx(dir, engine, { region: 'eu-west-1' }))).map((c) => c.value).sort()).toEqual(['i-0aaa', 'i-0bbb']);
  });

  it('volumes, security groups, buckets and regions', async () => {
    expect(await answer('volume-id', 'vol-')).toEqual([{ value: 'vol-01', description: 'data · 100 GiB' }]);
    expect(await answer('security-group-id', '')).toEqual([{ value: 'sg-01', description: 'web' }]);
    expect(await answer('bucket', 'd')).toEqual([{ value: 'data' }]);
    expect((await answer('region', 'm')).map((c) => c.value)).toEqual(['me-south-1', 'mx-central-1']);
  });

  it('S3 URLs: buckets first, then one level of keys and prefixes under what is typed', async () => {
    expect(await answer('s3-url', 's3://')).toEqual([{ value: 's3://data/' }, { value: 's3://logs/' }]);
    expect((await answer('s3-url', 's3://data/')).map((c) => c.value).sort()).toEqual(['s3://data/a.txt', 's3://data/logs/']);
    expect(await answer('s3-url', 's3://data/logs/')).toEqual([{ value: 's3://data/logs/2024/' }, { value: 's3://data/logs/index.txt', description: '9 bytes' }]);
  });

  it('task ids come from the tasks index; a missing index queues a background `tasks ls`, once a minute', async () => {
    const tasks = join(dir, 'tasks');
    const c = ctx(dir, engine);
    expect(await answer('task-id', '', c)).toEqual([]);
    const marker = queuedFile(dir, `tasks ls --dir ${tasks}`);
    expect(existsSync(marker)).toBe(true);
    const first = statSync(marker).mtimeMs;
    await answer('task-id', '', c);
    expect(statSync(marker).mtimeMs).toBe(first);
  });

  it('a task index whose id column fails its checksum answers nothing and queues a rebuild', async () => {
    const home = tempDir('strata-complete-corrupt-');
    const tasks = join(home, 'tasks');
    mkdirSync(tasks);
    writeFileSync(join(tasks, 't.md'), '---\nid: fix-login\ntitle: Fix\nstatus: todo\n---\n');
    const { openTaskStore } = await import('../../src/tasks/store.js');
    const { IndexReader, indexPathFor } = await import('../../src/tasks/index-file.js');
    (await openTaskStore({ dir: tasks, cacheDir: home })).close();
    const file = indexPathFor(home, tasks);
    const reader = IndexReader.open(file, tasks)!;
    const { off } = reader.meta.cols.id as { off: number };
    reader.close();
    const bytes = readFileSync(file);
    bytes[off + 2] ^= 0x20; // one letter of the JSON of the ids
    writeFileSync(file, bytes);
    const c = ctx(home, createEngine({ config: testConfig(home), warn: () => undefined }));
    expect(await answer('task-id', '', c)).toEqual([]);
    expect(existsSync(queuedFile(home, `tasks ls --dir ${tasks} --refresh`))).toBe(true);
  });

  it('with nothing cached, answers nothing and queues one refresh for the listing', async () => {
    const empty = tempDir('strata-complete-empty-');
    const e = createEngine({ config: testConfig(empty), warn: () => undefined });
    expect(await answer('instance-id', 'i-', ctx(empty, e, { region: 'eu-west-1' }))).toEqual([]);
    expect(existsSync(queuedFile(empty, 'ec2 instances --region eu-west-1'))).toBe(true);
  });
});

describe('__complete as a whole process', () => {
  let bundle: Bundle;
  let cache: string;
  beforeAll(async () => {
    bundle = await bundleCli();
    // Prove the path never loads the SDK: remove it from this build.
    expect(bundle.sdkChunks.length).toBeGreaterThan(0);
    for (const f of bundle.sdkChunks) rmSync(f);
    cache = tempDir('strata-complete-proc-');
    await (await seed(cache)).close();
  }, 60_000);
  afterAll(() => bundle?.remove());

  it('answers instance ids from L2 without the AWS SDK', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bundle.entry, '__complete', 'instance-id', 'i-0'], { env: { PATH: process.env.PATH, HOME: cache, STRATA_CACHE_DIR: cache } });
    expect(stderr).toBe('');
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['i-0aaa\tweb · running', 'i-0bbb\tstopped', 'i-0ccc\tdb · running']);
  });

  it('with an empty cache, answers at once and a detached warm fills the cache in the background', async () => {
    const empty = tempDir('strata-complete-bg-');
    mkdirSync(join(empty, 'tasks'));
    writeFileSync(join(empty, 'tasks', 't.md'), '---\nid: fix-login\ntitle: Fix\nstatus: todo\n---\n');
    const run = () => promisify(execFile)(process.execPath, [bundle.entry, '__complete', 'task-id', 'fix'], { cwd: empty, env: { PATH: process.env.PATH, HOME: empty, STRATA_CACHE_DIR: join(empty, 'cache') } });
    expect((await run()).stdout).toBe('');
    await expect.poll(async () => (await run()).stdout, { timeout: 15_000, interval: 200 }).toBe('fix-login\ttodo\n');
  }, 30_000);
});
