// `strata ec2 <resource>`: describe calls as streamed, normalised records. The definitions are
// light; the AWS code (and, only on a cache miss, the SDK) is imported inside `run`.

import type { CommandContext, CommandDef, OptionDef, Rec } from '../cli/types.js';

const RESOURCES = [
  ['instances', 'EC2 instances (Reservations flattened), with optional related resources', 'InstanceId, Name, State, InstanceType, ..., Tags, Region, ReservationId, OwnerId (+ Volumes, SecurityGroupDetails, SubnetDetails with --with)'],
  ['volumes', 'EBS volumes', 'VolumeId, Name, Size, State, VolumeType, Attachments, ..., Tags, Region'],
  ['security-groups', 'security groups', 'GroupId, GroupName, VpcId, IpPermissions, ..., Tags, Region'],
  ['vpcs', 'VPCs', 'VpcId, Name, CidrBlock, State, IsDefault, ..., Tags, Region'],
  ['subnets', 'subnets', 'SubnetId, Name, VpcId, CidrBlock, AvailabilityZone, ..., Tags, Region'],
  ['images', 'AMIs owned by this account', 'ImageId, Name, State, CreationDate, ..., Tags, Region'],
  ['snapshots', 'EBS snapshots owned by this account', 'SnapshotId, Name, VolumeId, VolumeSize, StartTime, ..., Tags, Region'],
  ['regions', 'regions enabled for this account', 'RegionName, Endpoint, OptInStatus'],
] as const;

const FILTER: OptionDef = {
  flags: '--filter <name=values>',
  summary: 'EC2 filter, e.g. instance-state-name=running,stopped (or Name=...,Values=...); repeatable',
  repeatable: true,
};
const IDS: OptionDef = { flags: '--ids <ids>', summary: 'only these ids, comma separated', type: 'list' };
const WITH: OptionDef = {
  flags: '--with <relations>',
  summary: 'attach related resources: volumes, security-groups, subnet (batched, deduplicated describe calls)',
  type: 'list',
};

const EXAMPLES: Record<string, CommandDef['examples']> = {
  instances: [
    { summary: 'running instances in one region', argv: ['ec2', 'instances', '--region', 'eu-west-1', '--filter', 'instance-state-name=running'] },
    { summary: 'every instance in every enabled region, with its volumes', argv: ['ec2', 'instances', '--region', 'all', '--with', 'volumes'] },
  ],
  volumes: [{ summary: 'unattached volumes', argv: ['ec2', 'volumes', '--filter', 'status=available'] }],
  'security-groups': [{ summary: 'two groups by id', argv: ['ec2', 'security-groups', '--ids', 'sg-0123,sg-0456'] }],
  vpcs: [{ summary: 'default VPCs of every region', argv: ['ec2', 'vpcs', '--region', 'all', '--filter', 'is-default=true'] }],
  subnets: [{ summary: 'subnets of one VPC', argv: ['ec2', 'subnets', '--filter', 'vpc-id=vpc-0123'] }],
  images: [{ summary: 'my AMIs, 20 at a time', argv: ['ec2', 'images', '--max-items', '20'] }],
  snapshots: [{ summary: 'my snapshots of one volume', argv: ['ec2', 'snapshots', '--filter', 'volume-id=vol-0123'] }],
  regions: [{ summary: 'enabled regions', argv: ['ec2', 'regions'] }],
};

async function* runDescribe(ctx: CommandContext, resource: (typeof RESOURCES)[number][0]): AsyncGenerator<Rec> {
  const [{ runtimeFrom }, { describe }, { parseFilters }, { enrichInstances, parseEnrichments }] = await Promise.all([
    import('../aws/runtime.js'),
    import('../aws/ec2.js'),
    import('../aws/filters.js'),
    import('../aws/enrich.js'),
  ]);
  const rt = runtimeFrom(ctx);
  const g = ctx.globals;
  const withs = resource === 'instances' ? parseEnrichments(ctx.opts.with) : [];
  const records = describe(rt, resource, {
    filters: parseFilters(ctx.opts.filter),
    ids: ctx.opts.ids,
    paging: { pageSize: g.pageSize, maxItems: g.maxItems, startingToken: g.startingToken, paginate: g.paginate },
    onNextToken: (t) => ctx.io.stderr.write(`NextToken: ${t}\n`),
    onRegionError: (err, region) => ctx.reportError(err, { Region: region }),
  });
  yield* enrichInstances(rt, records, withs);
}

export const ec2Commands: CommandDef[] = RESOURCES.map(([resource, what, fields]) => ({
  name: `ec2 ${resource}`,
  summary: `List ${what}`,
  description:
    'Paginated and streamed page by page; records keep the API field names, plus Tags as an object, Name from the Name tag and Region. ' +
    '--region all fans out over the enabled regions in parallel.',
  options: resource === 'instances' ? [FILTER, IDS, WITH] : [FILTER, IDS],
  output: fields,
  examples: EXAMPLES[resource],
  run: (ctx) => runDescribe(ctx, resource),
}));
