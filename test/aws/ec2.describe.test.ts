import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import diagnostics_channel from 'node:diagnostics_channel';
import { mockClient } from 'aws-sdk-client-mock';
import { requestChannel } from '../../src/metrics/channels.js';
import { DescribeInstancesCommand, DescribeRegionsCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVolumesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { defaultConfig } from '../../src/config/schema.js';
import { describe as describeEc2 } from '../../src/aws/ec2.js';
import { enrichInstances, MAX_IDS_PER_CALL } from '../../src/aws/enrich.js';
import { parseFilters } from '../../src/aws/filters.js';
import { closeClients } from '../../src/aws/clients.js';
import type { AwsRuntime } from '../../src/aws/runtime.js';
import type { Rec } from '../../src/cli/types.js';
import { testRuntime, testScheduler } from './helpers.js';

const ec2 = mockClient(EC2Client);
const dirs: string[] = [];
let engine: Engine;

function newEngine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'strata-ec2-'));
  dirs.push(dir);
  const config = defaultConfig({}, dir);
  config.cache.dir = dir;
  return createEngine({ config, warn: () => undefined });
}

function instance(i: number, extra: Rec = {}) {
  return {
    InstanceId: `i-${String(i).padStart(4, '0')}`,
    InstanceType: 't3.micro',
    State: { Name: 'running' },
    LaunchTime: new Date('2024-01-02T03:04:05Z'),
    Tags: [{ Key: 'Name', Value: `web-${i}` }, { Key: 'env', Value: 'prod' }],
    ...extra,
  };
}

/** DescribeInstances over n instances, `per` per page, tokens are offsets. */
function pagedInstances(n: number, per: number, extra: (i: number) => Rec = () => ({})) {
  ec2.on(DescribeInstancesCommand).callsFake(async (input: { NextToken?: string }) => {
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const ids = Array.from({ length: Math.min(per, n - start) }, (_, k) => start + k);
    return { Reservations: [{ ReservationId: `r-${start}`, OwnerId: '123', Instances: ids.map((i) => instance(i, extra(i))) }], NextToken: start + per < n ? String(start + per) : undefined };
  });
}

async function collect(it: AsyncIterable<Rec>): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of it) out.push(r);
  return out;
}

let rt: AwsRuntime;
const scheduler = testScheduler();

beforeEach(() => {
  ec2.reset();
  engine = newEngine();
  rt = { ...testRuntime({ scheduler, engine }), cacheMode: 'default' };
});
afterEach(async () => {
  await engine.close();
});
afterAll(async () => {
  closeClients();
  await scheduler.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('ec2 describe', () => {
  it('streams every instance of every page as a normalised record', async () => {
    pagedInstances(7, 3);
    const recs = await collect(describeEc2(rt, 'instances'));
    expect(recs.length).toBe(7);
    expect(recs[0]).toMatchObject({ Name: 'web-0', InstanceId: 'i-0000', Tags: { Name: 'web-0', env: 'prod' }, Region: 'eu-west-1', LaunchTime: '2024-01-02T03:04:05.000Z', ReservationId: 'r-0', OwnerId: '123' });
    expect(ec2.commandCalls(DescribeInstancesCommand).length).toBe(3);
  });

  it('publishes each request under its operation name (what perf report and --stats group by)', async () => {
    pagedInstances(4, 2);
    const seen: string[] = [];
    const onRequest = (m: unknown) => seen.push((m as { operation: string }).operation);
    diagnostics_channel.subscribe(requestChannel.name, onRequest);
    try {
      await collect(describeEc2(rt, 'instances'));
    } finally {
      diagnostics_channel.unsubscribe(requestChannel.name, onRequest);
    }
    expect(seen).toEqual(['ec2:DescribeInstances', 'ec2:DescribeInstances']);
  });

  it('answers a second identical read from the cache without calling EC2', async () => {
    pagedInstances(7, 3);
    const first = await collect(describeEc2(rt, 'instances'));
    const again = await collect(describeEc2(rt, 'instances'));
    expect(again).toEqual(first);
    expect(ec2.commandCalls(DescribeInstancesCommand).length).toBe(3);
  });

  it('shares one request among 100 concurrent identical reads', async () => {
    pagedInstances(2, 5);
    const all = await Promise.all(Array.from({ length: 100 }, () => collect(describeEc2(rt, 'instances'))));
    expect(all.every((r) => r.length === 2)).toBe(true);
    expect(ec2.commandCalls(DescribeInstancesCommand).length).toBe(1);
  });

  it('sends filters and sorted, deduplicated ids, and leaves MaxResults out when ids are named', async () => {
    ec2.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: 'vol-1', Size: 8 }] });
    await collect(describeEc2(rt, 'volumes', { filters: parseFilters(['status=available,in-use', 'Name=size,Values=8']), ids: ['vol-2', 'vol-1', 'vol-2'], paging: { pageSize: 50 } }));
    expect(ec2.commandCalls(DescribeVolumesCommand)[0].args[0].input).toEqual({
      Filters: [{ Name: 'size', Values: ['8'] }, { Name: 'status', Values: ['available', 'in-use'] }],
      VolumeIds: ['vol-1', 'vol-2'],
    });
  });

  it('names regions with --ids (RegionNames)', async () => {
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' }] });
    expect(await collect(describeEc2(rt, 'regions', { ids: ['eu-west-1'] }))).toEqual([expect.objectContaining({ RegionName: 'eu-west-1' })]);
    expect(ec2.commandCalls(DescribeRegionsCommand)[0].args[0].input).toEqual({ RegionNames: ['eu-west-1'] });
  });

  it('asks for images and snapshots owned by self', async () => {
    const { DescribeImagesCommand, DescribeSnapshotsCommand } = await import('@aws-sdk/client-ec2');
    ec2.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-1' }] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    await collect(describeEc2(rt, 'images'));
    await collect(describeEc2(rt, 'snapshots'));
    expect(ec2.commandCalls(DescribeImagesCommand)[0].args[0].input).toMatchObject({ Owners: ['self'] });
    expect(ec2.commandCalls(DescribeSnapshotsCommand)[0].args[0].input).toMatchObject({ OwnerIds: ['self'] });
  });

  it('retries a throttled page and a timed-out page, then carries on', async () => {
    let calls = 0;
    ec2.on(DescribeInstancesCommand).callsFake(async (input: { NextToken?: string }) => {
      calls++;
      if (calls === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
      if (calls === 3) throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
      return input.NextToken ? { Reservations: [{ Instances: [instance(2)] }] } : { Reservations: [{ Instances: [instance(1)] }], NextToken: 'p2' };
    });
    const recs = await collect(describeEc2(rt, 'instances'));
    expect(recs.map((r) => r.InstanceId)).toEqual(['i-0001', 'i-0002']);
    expect(calls).toBe(4);
  });

  it('turns access denied into a clear runtime error', async () => {
    ec2.on(DescribeVpcsCommand).rejects(Object.assign(new Error('You are not authorized'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    await expect(collect(describeEc2(rt, 'vpcs'))).rejects.toMatchObject({ code: 'ACCESS_DENIED', kind: 'runtime' });
  });

  it('with --max-items, returns that many and a token that resumes, also from the cache', async () => {
    pagedInstances(10, 4);
    const tokens: string[] = [];
    const first = await collect(describeEc2(rt, 'instances', { paging: { maxItems: 6 }, onNextToken: (t) => tokens.push(t) }));
    expect(first.map((r) => r.InstanceId)).toEqual(['i-0000', 'i-0001', 'i-0002', 'i-0003', 'i-0004', 'i-0005']);
    const cached = await collect(describeEc2(rt, 'instances', { paging: { maxItems: 6 }, onNextToken: (t) => tokens.push(t) }));
    expect(cached).toEqual(first);
    expect(tokens[1]).toBe(tokens[0]);
    const rest = await collect(describeEc2(rt, 'instances', { paging: { startingToken: tokens[0] } }));
    expect(rest.map((r) => r.InstanceId)).toEqual(['i-0006', 'i-0007', 'i-0008', 'i-0009']);
  });

  it('--region all asks DescribeRegions once and streams every region', async () => {
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'eu-west-1' }, { RegionName: 'us-east-1' }, { RegionName: 'ap-south-1' }] });
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', Tags: [{ Key: 'Name', Value: 'main' }] }] });
    const all = { ...rt, scope: { ...rt.scope, region: 'all' } };
    const recs = await collect(describeEc2(all, 'vpcs'));
    expect(recs.map((r) => r.Region).sort()).toEqual(['ap-south-1', 'eu-west-1', 'us-east-1']);
    expect(recs[0]).toMatchObject({ Name: 'main', VpcId: 'vpc-1' });
    await collect(describeEc2(all, 'vpcs'));
    expect(ec2.commandCalls(DescribeRegionsCommand).length).toBe(1);
  });

  it('--region all with a failing region: the error goes to onRegionError and the other regions still answer', async () => {
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'eu-west-1' }, { RegionName: 'us-east-1' }] });
    ec2.on(DescribeVpcsCommand).callsFake(async (_input, getClient) => {
      const region = await getClient().config.region();
      if (region === 'us-east-1') throw Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } });
      return { Vpcs: [{ VpcId: 'vpc-x' }] };
    });
    const failures: Array<[string, string]> = [];
    const all = { ...rt, scope: { ...rt.scope, region: 'all' } };
    const recs = await collect(describeEc2(all, 'vpcs', { onRegionError: (err, region) => failures.push([region, (err as { code: string }).code]) }));
    expect(recs.map((r) => r.Region)).toEqual(['eu-west-1']);
    expect(failures).toEqual([['us-east-1', 'ACCESS_DENIED']]);
  });

  it('--region all without keep-going fails on the first failing region', async () => {
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'eu-west-1' }] });
    ec2.on(DescribeVpcsCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalError', $metadata: { httpStatusCode: 400 } }));
    await expect(collect(describeEc2({ ...rt, scope: { ...rt.scope, region: 'all' } }, 'vpcs'))).rejects.toMatchObject({ kind: 'runtime' });
  });
});

describe('ec2 instances --with', () => {
  it('describes related volumes, groups and subnets in batches of at most 200 distinct ids and joins them', async () => {
    const n = 450;
    pagedInstances(n, 100, (i) => ({
      SubnetId: `subnet-${i % 3}`,
      SecurityGroups: [{ GroupId: 'sg-shared' }, { GroupId: `sg-${i % 250}` }],
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: `vol-${i}` } }],
    }));
    const valuesOf = (input: { Filters?: { Values?: string[] }[] }) => input.Filters?.[0]?.Values ?? [];
    ec2.on(DescribeVolumesCommand).callsFake(async (input) => ({ Volumes: valuesOf(input).map((id) => ({ VolumeId: id, Size: 8 })) }));
    ec2.on(DescribeSecurityGroupsCommand).callsFake(async (input) => ({ SecurityGroups: valuesOf(input).map((id) => ({ GroupId: id, GroupName: `name-${id}` })) }));
    ec2.on(DescribeSubnetsCommand).callsFake(async (input) => ({ Subnets: valuesOf(input).map((id) => ({ SubnetId: id, CidrBlock: '10.0.0.0/24' })) }));

    const recs = await collect(enrichInstances(rt, describeEc2(rt, 'instances'), ['volumes', 'security-groups', 'subnet']));
    expect(recs.length).toBe(n);
    const r7 = recs.find((r) => r.InstanceId === 'i-0007')!;
    expect(r7.Volumes).toEqual([expect.objectContaining({ VolumeId: 'vol-7', Size: 8, Region: 'eu-west-1' })]);
    expect((r7.SecurityGroupDetails as Rec[]).map((g) => g.GroupName)).toEqual(['name-sg-shared', 'name-sg-7']);
    expect(r7.SubnetDetails).toMatchObject({ SubnetId: 'subnet-1' });

    const volumeCalls = ec2.commandCalls(DescribeVolumesCommand).map((c) => valuesOf(c.args[0].input));
    expect(volumeCalls.every((ids) => ids.length <= MAX_IDS_PER_CALL)).toBe(true);
    expect(volumeCalls.flat().length).toBe(n);
    const groupIds = ec2.commandCalls(DescribeSecurityGroupsCommand).flatMap((c) => valuesOf(c.args[0].input));
    expect(groupIds.length).toBe(new Set(groupIds).size);
    expect(groupIds.length).toBe(251);
    expect(ec2.commandCalls(DescribeSubnetsCommand).flatMap((c) => valuesOf(c.args[0].input)).sort()).toEqual(['subnet-0', 'subnet-1', 'subnet-2']);
  });

  it('leaves out a related resource that no longer exists', async () => {
    pagedInstances(1, 5, () => ({ BlockDeviceMappings: [{ Ebs: { VolumeId: 'vol-gone' } }] }));
    ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
    const [rec] = await collect(enrichInstances(rt, describeEc2(rt, 'instances'), ['volumes']));
    expect(rec.Volumes).toEqual([]);
  });
});
