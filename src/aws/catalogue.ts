// The operations strata reads, as data: which API call, how it pages, which request field takes
// ids, what it needs by default (images and snapshots owned by self) and how one response item
// becomes records. The generic reader (read.ts) and the pagination loop do the rest.

import type { Rec } from '../cli/types.js';
import type { PageSpec } from './paginate.js';
import { ec2Record, plain, s3ObjectRecord, s3PrefixRecord } from './normalise.js';

export interface CatalogueEntry {
  service: 'ec2' | 's3';
  /** The API operation; the SDK command is `${operation}Command`. */
  operation: string;
  page: PageSpec;
  /** Request field for --ids, e.g. 'InstanceIds'. */
  idsField?: string;
  /** Whether the API accepts --filter (EC2's Filters). */
  filters?: boolean;
  /** Fixed request fields (Owners: ['self']). */
  defaults?: Record<string, unknown>;
  /** Page-size bounds the API accepts; --page-size is clamped into them. */
  pageSizeRange?: [number, number];
  /** One response item → records (DescribeInstances nests instances in reservations). */
  records(item: Rec, region: string, params: Record<string, unknown>): Rec[];
}

const ec2Page = (resultKey: string): PageSpec => ({ inputToken: 'NextToken', outputToken: 'NextToken', pageSizeField: 'MaxResults', resultKeys: [resultKey] });
const one = (item: Rec, region: string): Rec[] => [ec2Record(item, region)];

export const EC2_CATALOGUE = {
  instances: {
    service: 'ec2',
    operation: 'DescribeInstances',
    page: ec2Page('Reservations'),
    idsField: 'InstanceIds',
    filters: true,
    pageSizeRange: [5, 1000],
    records: (reservation, region) =>
      ((reservation.Instances as Rec[] | undefined) ?? []).map((i) => ({ ...ec2Record(i, region), ReservationId: reservation.ReservationId, OwnerId: reservation.OwnerId })),
  },
  volumes: { service: 'ec2', operation: 'DescribeVolumes', page: ec2Page('Volumes'), idsField: 'VolumeIds', filters: true, pageSizeRange: [5, 500], records: one },
  'security-groups': { service: 'ec2', operation: 'DescribeSecurityGroups', page: ec2Page('SecurityGroups'), idsField: 'GroupIds', filters: true, pageSizeRange: [5, 1000], records: one },
  vpcs: { service: 'ec2', operation: 'DescribeVpcs', page: ec2Page('Vpcs'), idsField: 'VpcIds', filters: true, pageSizeRange: [5, 1000], records: one },
  subnets: { service: 'ec2', operation: 'DescribeSubnets', page: ec2Page('Subnets'), idsField: 'SubnetIds', filters: true, pageSizeRange: [5, 1000], records: one },
  images: { service: 'ec2', operation: 'DescribeImages', page: ec2Page('Images'), idsField: 'ImageIds', filters: true, defaults: { Owners: ['self'] }, pageSizeRange: [5, 1000], records: one },
  snapshots: { service: 'ec2', operation: 'DescribeSnapshots', page: ec2Page('Snapshots'), idsField: 'SnapshotIds', filters: true, defaults: { OwnerIds: ['self'] }, pageSizeRange: [5, 1000], records: one },
  regions: {
    service: 'ec2',
    operation: 'DescribeRegions',
    page: { inputToken: 'NextToken', outputToken: 'NextToken', resultKeys: ['Regions'] },
    idsField: 'RegionNames',
    filters: true,
    records: (item) => [plain(item) as Rec],
  },
} satisfies Record<string, CatalogueEntry>;

export type Ec2Resource = keyof typeof EC2_CATALOGUE;

export const S3_CATALOGUE = {
  buckets: {
    service: 's3',
    operation: 'ListBuckets',
    page: { inputToken: 'ContinuationToken', outputToken: 'ContinuationToken', pageSizeField: 'MaxBuckets', resultKeys: ['Buckets'] },
    pageSizeRange: [1, 10000],
    records: (item) => [plain(item) as Rec],
  },
  objects: {
    service: 's3',
    operation: 'ListObjectsV2',
    // Contents and CommonPrefixes share a page; records are told apart by shape (Key vs Prefix).
    page: { inputToken: 'ContinuationToken', outputToken: 'NextContinuationToken', pageSizeField: 'MaxKeys', resultKeys: ['Contents', 'CommonPrefixes'] },
    pageSizeRange: [1, 1000],
    records: (item, _region, params) => [item.Key !== undefined ? s3ObjectRecord(item, String(params.Bucket)) : s3PrefixRecord(item, String(params.Bucket))],
  },
} satisfies Record<string, CatalogueEntry>;
