// `ec2 instances --with volumes,security-groups,subnet`: cross-service correlation in bulk.
// Instances stream in chunks; for each chunk the related ids are collected, deduplicated against
// everything already fetched in this run, and described in batches of at most 200 ids (EC2's limit
// on filter values) at 'enrichment' priority, in parallel. Batches use id *filters* rather than
// the ids fields, because an id that vanished meanwhile fails a whole ids call but is simply
// absent from a filtered one. Each instance then gets:
//   Volumes: [volume records]  SecurityGroupDetails: [group records]  SubnetDetails: subnet record
// (related records keep their own Tags/Name/Region; a missing one is left out).

import type { Rec } from '../cli/types.js';
import type { AwsRuntime } from './runtime.js';
import { EC2_CATALOGUE } from './catalogue.js';
import { read } from './read.js';
import { usageError } from '../errors.js';

export const ENRICHMENTS = ['volumes', 'security-groups', 'subnet'] as const;
export type Enrichment = (typeof ENRICHMENTS)[number];

/** EC2 accepts at most 200 values in one filter. */
export const MAX_IDS_PER_CALL = 200;
/** Instances held before their relations are fetched: bigger chunks fill batches better. */
export const INSTANCE_CHUNK = 500;

interface Relation {
  resource: 'volumes' | 'security-groups' | 'subnets';
  filter: string;
  idField: string;
  field: string;
  ids(instance: Rec): string[];
  single?: boolean;
}

const RELATIONS: Record<Enrichment, Relation> = {
  volumes: {
    resource: 'volumes',
    filter: 'volume-id',
    idField: 'VolumeId',
    field: 'Volumes',
    ids: (i) => ((i.BlockDeviceMappings as Rec[] | undefined) ?? []).map((m) => (m.Ebs as Rec | undefined)?.VolumeId).filter((v): v is string => typeof v === 'string'),
  },
  'security-groups': {
    resource: 'security-groups',
    filter: 'group-id',
    idField: 'GroupId',
    field: 'SecurityGroupDetails',
    ids: (i) => ((i.SecurityGroups as Rec[] | undefined) ?? []).map((g) => g.GroupId).filter((v): v is string => typeof v === 'string'),
  },
  subnet: {
    resource: 'subnets',
    filter: 'subnet-id',
    idField: 'SubnetId',
    field: 'SubnetDetails',
    single: true,
    ids: (i) => (typeof i.SubnetId === 'string' ? [i.SubnetId] : []),
  },
};

export function parseEnrichments(list: readonly string[] | undefined): Enrichment[] {
  const out = new Set<Enrichment>();
  for (const w of list ?? []) {
    const name = (w === 'subnets' ? 'subnet' : w === 'sgs' ? 'security-groups' : w) as Enrichment;
    if (!ENRICHMENTS.includes(name)) throw usageError('BAD_OPTION', `--with: unknown relation '${w}'`, `use any of ${ENRICHMENTS.join(', ')}`);
    out.add(name);
  }
  return [...out];
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

class Enricher {
  /** `${region}/${id}` → record, or null when the service returned nothing for it. */
  readonly #known = new Map<string, Rec | null>();

  constructor(
    readonly rt: AwsRuntime,
    readonly relations: Relation[],
  ) {}

  async fetchFor(chunk: Rec[]): Promise<void> {
    const work: Promise<void>[] = [];
    for (const rel of this.relations) {
      const wanted = new Map<string, Set<string>>();
      for (const inst of chunk) {
        const region = String(inst.Region);
        for (const id of rel.ids(inst)) {
          if (this.#known.has(`${rel.resource}/${region}/${id}`)) continue;
          const set = wanted.get(region) ?? new Set<string>();
          set.add(id);
          wanted.set(region, set);
        }
      }
      for (const [region, ids] of wanted) {
        for (const batch of batches([...ids].sort(), MAX_IDS_PER_CALL)) work.push(this.#describe(rel, region, batch));
      }
    }
    await Promise.all(work);
  }

  async #describe(rel: Relation, region: string, ids: string[]): Promise<void> {
    for (const id of ids) this.#known.set(`${rel.resource}/${region}/${id}`, null);
    const params = { Filters: [{ Name: rel.filter, Values: ids }] };
    for await (const rec of read(this.rt, { entry: EC2_CATALOGUE[rel.resource], region, params })) {
      this.#known.set(`${rel.resource}/${region}/${String(rec[rel.idField])}`, rec);
    }
  }

  join(inst: Rec): Rec {
    const out: Rec = { ...inst };
    const region = String(inst.Region);
    for (const rel of this.relations) {
      const found = rel.ids(inst).map((id) => this.#known.get(`${rel.resource}/${region}/${id}`)).filter((r): r is Rec => !!r);
      out[rel.field] = rel.single ? (found[0] ?? null) : found;
    }
    return out;
  }
}

export async function* enrichInstances(rt: AwsRuntime, instances: AsyncIterable<Rec>, withs: readonly Enrichment[]): AsyncGenerator<Rec> {
  if (withs.length === 0) {
    yield* instances;
    return;
  }
  const enricher = new Enricher({ ...rt, priority: 'enrichment' }, withs.map((w) => RELATIONS[w]));
  let chunk: Rec[] = [];
  const flush = async function* () {
    await enricher.fetchFor(chunk);
    for (const inst of chunk) yield enricher.join(inst);
    chunk = [];
  };
  for await (const inst of instances) {
    chunk.push(inst);
    if (chunk.length >= INSTANCE_CHUNK) yield* flush();
  }
  if (chunk.length > 0) yield* flush();
}
