// The cache suite: the figures, each next to its reference in the same run.
//   l1.*       L1 get throughput (sieve) vs lru-cache's get on the same keys and values;
//              hit ratio of every policy and of lru-cache on a Zipf(0.99) trace.
//   l2.*       disk-tier hit latency (read, verify, decompress, parse) for 2 KB and 200 KB entries
//              written as the engine writes them, from a warm OS cache; p99 per round, next to a
//              control read in the same rounds (the same records as one plain file, no framing or checksum).
//   codec.*    brotli-1 ratio and ms on generated DescribeInstances-shaped JSON, as one document and
//              as the engine frames it.
//   dedup.*    upstream calls for 100 concurrent identical reads in one engine, and for 8 engines
//              sharing one cache dir (separate L1s and flights: they meet only at the lock files
//              and L2, the cross-process path; real child processes are covered by the tests).

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { LRUCache } from 'lru-cache';
import { DiskStore } from '../../cache/disk.js';
import { compress, compressBytes, RAW_BELOW } from '../../cache/format.js';
import { createBoundedCache } from '../../cache/memory.js';
import type { EvictionPolicy } from '../../config/schema.js';
import { defaultConfig } from '../../config/schema.js';
import { createEngine } from '../../engine/index.js';
import { chunkRecords } from '../../engine/chunks.js';
import type { Figure, Suite, SuiteContext } from '../types.js';
import { seededRandom } from '../../util/random.js';

/** A deterministic Zipf(s) trace over `keys` keys (seeded PRNG, inverse CDF by binary search). */
export function zipfTrace(requests: number, keys: number, s: number, seed = 42): Uint32Array {
  const cdf = new Float64Array(keys);
  let sum = 0;
  for (let i = 0; i < keys; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  const rand = seededRandom(seed);
  const out = new Uint32Array(requests);
  for (let r = 0; r < requests; r++) {
    const u = rand() * sum;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    out[r] = lo;
  }
  return out;
}


/**
 * DescribeInstances-shaped records: every field the API returns for a typical instance, with the
 * repetition of a real account (a fleet shares a few VPCs, subnets, AMIs and security groups;
 * instance, volume and interface ids are unique).
 */
export function awsInstances(n: number, seed = 7): Record<string, unknown>[] {
  const rand = seededRandom(seed);
  const hex = (len: number) => Array.from({ length: len }, () => Math.floor(rand() * 16).toString(16)).join('');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const pool = (prefix: string, size: number) => Array.from({ length: size }, () => `${prefix}-${hex(17)}`);
  const vpcs = pool('vpc', 2);
  const subnets = pool('subnet', 6);
  const amis = pool('ami', 4);
  const groups = pool('sg', 5).map((GroupId, i) => ({ GroupId, GroupName: ['web', 'api', 'db', 'bastion', 'default'][i] }));
  const types = ['t3.micro', 't3.large', 'm5.xlarge', 'c6i.2xlarge', 'r6g.large'];
  const owner = '123456789012';
  return Array.from({ length: n }, (_, i) => {
    const subnet = pick(subnets);
    const vpc = vpcs[subnets.indexOf(subnet) % vpcs.length];
    const priv = `10.0.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`;
    const dns = `ip-${priv.replaceAll('.', '-')}.ec2.internal`;
    const sg = [pick(groups)];
    const launch = new Date(1_700_000_000_000 - Math.floor(rand() * 3e10)).toISOString();
    const running = rand() < 0.9;
    return {
      AmiLaunchIndex: 0,
      ImageId: pick(amis),
      InstanceId: `i-${hex(17)}`,
      InstanceType: pick(types),
      KeyName: 'deploy',
      LaunchTime: launch,
      Monitoring: { State: 'disabled' },
      Placement: { AvailabilityZone: `us-east-1${'abcdef'[subnets.indexOf(subnet)]}`, GroupName: '', Tenancy: 'default' },
      PrivateDnsName: dns,
      PrivateIpAddress: priv,
      ProductCodes: [],
      PublicDnsName: '',
      State: running ? { Code: 16, Name: 'running' } : { Code: 80, Name: 'stopped' },
      StateTransitionReason: running ? '' : `User initiated (${launch.slice(0, 19).replace('T', ' ')} GMT)`,
      SubnetId: subnet,
      VpcId: vpc,
      Architecture: 'x86_64',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { AttachTime: launch, DeleteOnTermination: true, Status: 'attached', VolumeId: `vol-${hex(17)}` } }],
      ClientToken: `terraform-${hex(26)}`,
      EbsOptimized: true,
      EnaSupport: true,
      Hypervisor: 'xen',
      IamInstanceProfile: { Arn: `arn:aws:iam::${owner}:instance-profile/app-instance`, Id: 'AIPAEXAMPLEPROFILE01' },
      NetworkInterfaces: [
        {
          Attachment: { AttachTime: launch, AttachmentId: `eni-attach-${hex(17)}`, DeleteOnTermination: true, DeviceIndex: 0, Status: 'attached', NetworkCardIndex: 0 },
          Description: '',
          Groups: sg,
          Ipv6Addresses: [],
          MacAddress: `0e:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}`,
          NetworkInterfaceId: `eni-${hex(17)}`,
          OwnerId: owner,
          PrivateDnsName: dns,
          PrivateIpAddress: priv,
          PrivateIpAddresses: [{ Primary: true, PrivateDnsName: dns, PrivateIpAddress: priv }],
          SourceDestCheck: true,
          Status: 'in-use',
          SubnetId: subnet,
          VpcId: vpc,
          InterfaceType: 'interface',
        },
      ],
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      SecurityGroups: sg,
      SourceDestCheck: true,
      Tags: { Name: `web-${i}`, env: rand() < 0.5 ? 'prod' : 'staging', team: 'platform', 'aws:autoscaling:groupName': 'web-asg' },
      VirtualizationType: 'hvm',
      CpuOptions: { CoreCount: 1, ThreadsPerCore: 2 },
      CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
      HibernationOptions: { Configured: false },
      MetadataOptions: { State: 'applied', HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled', HttpProtocolIpv6: 'disabled', InstanceMetadataTags: 'disabled' },
      EnclaveOptions: { Enabled: false },
      BootMode: 'uefi-preferred',
      PlatformDetails: 'Linux/UNIX',
      UsageOperation: 'RunInstances',
      UsageOperationUpdateTime: launch,
      PrivateDnsNameOptions: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
      MaintenanceOptions: { AutoRecovery: 'default' },
      CurrentInstanceBootMode: 'legacy-bios',
      Region: 'us-east-1',
    };
  });
}

/** Instance records whose JSON is about `bytes` bytes. */
function instances(bytes: number): Record<string, unknown>[] {
  const perRecord = JSON.stringify(awsInstances(1)).length;
  return awsInstances(Math.max(1, Math.round(bytes / perRecord)));
}

function fig(name: string, unit: string, better: 'lower' | 'higher', samples: number[], note: string, target?: string): Figure {
  return { name, unit, better, samples, note, ...(target ? { target } : {}) };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function l1Throughput(ctx: SuiteContext): Promise<Figure[]> {
  const keys = Array.from({ length: 10_000 }, (_, i) => `aws:default:us-east-1:ec2:DescribeInstances:${i.toString(16).padStart(20, '0')}`);
  const value = { chunks: ['[]'] };
  const ours = await createBoundedCache<typeof value>('sieve', { maxEntries: 10_000, maxBytes: 1e9 });
  const lru = new LRUCache<string, typeof value>({ max: 10_000 });
  for (const k of keys) {
    ours.set(k, value, 1);
    lru.set(k, value);
  }
  const gets = ctx.quick ? 200_000 : 2_000_000;
  const order = zipfTrace(gets, keys.length, 0.99, 3);
  const time = (get: (k: string) => unknown) => {
    let sink = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < gets; i++) if (get(keys[order[i]]) !== undefined) sink++;
    const ns = Number(process.hrtime.bigint() - t0) / gets;
    if (sink !== gets) throw new Error('benchmark keys missing');
    return ns;
  };
  const oursNs: number[] = [];
  const lruNs: number[] = [];
  const ratio: number[] = [];
  for (let round = 0; round < (ctx.quick ? 3 : 7); round++) {
    const a = time((k) => ours.get(k));
    const b = time((k) => lru.get(k));
    oursNs.push(a);
    lruNs.push(b);
    ratio.push(b / a);
  }
  return [
    fig('l1.get.sieve', 'ns/op', 'lower', oursNs, 'L1 (sieve) get hit, 10k entries, Zipf order'),
    fig('l1.get.lru-cache', 'ns/op', 'lower', lruNs, 'lru-cache get hit, same keys and values'),
    fig('l1.get.throughput-vs-lru-cache', 'x', 'higher', ratio, 'L1 get throughput / lru-cache get throughput, per round', '>= 0.8'),
  ];
}

async function zipfHitRatios(ctx: SuiteContext): Promise<Figure[]> {
  const [requests, keys, cap] = ctx.quick ? [200_000, 20_000, 2_000] : [1_000_000, 100_000, 10_000];
  const trace = zipfTrace(requests, keys, 0.99);
  const names = Array.from({ length: keys }, (_, i) => `k${i}`);
  const run = (get: (k: string) => unknown, set: (k: string) => void) => {
    let hits = 0;
    for (const i of trace) {
      const k = names[i];
      if (get(k) !== undefined) hits++;
      else set(k);
    }
    return (100 * hits) / requests;
  };
  const figures: Figure[] = [];
  const lru = new LRUCache<string, number>({ max: cap });
  figures.push(fig('l1.zipf.hit-ratio.lru-cache', '%', 'higher', [run((k) => lru.get(k), (k) => lru.set(k, 1))], `lru-cache, Zipf(0.99) ${requests} requests, ${keys} keys, capacity ${cap}`));
  const policies: EvictionPolicy[] = ['sieve', 'lru', 'lfu', 'ttl'];
  for (const policy of policies) {
    const c = await createBoundedCache<number>(policy, { maxEntries: cap, maxBytes: 1e12 });
    let t = 0;
    const ratio = run((k) => c.get(k), (k) => c.set(k, 1, 1, ++t + 60_000));
    figures.push(fig(`l1.zipf.hit-ratio.${policy}`, '%', 'higher', [ratio], `strata L1 '${policy}' policy, same trace`, policy === 'sieve' ? '>= 76' : undefined));
  }
  return figures;
}

async function l2Latency(ctx: SuiteContext): Promise<Figure[]> {
  let now = Date.now();
  const store = new DiskStore({ dir: path.join(ctx.tmpDir, 'l2bench'), maxBytes: 1e9, now: () => now });
  store.init();
  const figures: Figure[] = [];
  for (const [label, size, reads] of [['2kb', 2_000, ctx.quick ? 500 : 5_000], ['200kb', 200_000, ctx.quick ? 50 : 500]] as const) {
    const key = `aws:default:us-east-1:ec2:DescribeInstances:${label}`;
    const w = store.writer(key, now)!;
    const records = instances(size);
    const frames = await engineChunks(records);
    for (const text of frames) w.append(text);
    w.commit(records.length);
    // The control: MEASURED.md's "one file per key, compressed, sync read" (readFileSync, brotli
    // when the engine would compress, JSON.parse), no framing and no checksum, in the same rounds.
    const json = Buffer.from(JSON.stringify(records));
    const plainFile = path.join(ctx.tmpDir, `l2bench-${label}.control`);
    const raw = frames.length === 1 && frames[0].length < RAW_BELOW;
    fs.writeFileSync(plainFile, raw ? json : compressBytes(json));
    const control = raw ? () => JSON.parse(fs.readFileSync(plainFile, 'utf8')) : () => JSON.parse(zlib.brotliDecompressSync(fs.readFileSync(plainFile)).toString());
    const p99s: number[] = [];
    const controlP99s: number[] = [];
    const all: number[] = [];
    // Round 0 warms the JIT and is not counted (hyperfine's --warmup). Each round reads the entry,
    // then the control, as many times: alternating per read would charge each one's garbage to the other.
    const timed = (read: () => number) => {
      const lat: number[] = [];
      for (let i = 0; i < reads; i++) {
        const t0 = performance.now();
        const n = read();
        lat.push(performance.now() - t0);
        if (n !== records.length) throw new Error(`read ${n} records of ${records.length}`);
      }
      return lat;
    };
    for (let round = 0; round <= 5; round++) {
      const lat = timed(() => {
        let n = 0;
        for (const chunk of store.read(key)!.chunks()) n += (JSON.parse(chunk) as unknown[]).length;
        return n;
      });
      const controlLat = timed(() => (control() as unknown[]).length);
      now += 1;
      if (round === 0) continue;
      p99s.push(percentile(lat, 99));
      controlP99s.push(percentile(controlLat, 99));
      all.push(...lat);
    }
    const form = fs.existsSync(store.textFileOf(key)!) ? 'the text form' : 'the framed form';
    const how = `${frames.length} page${frames.length === 1 ? '' : 's'} in ${form}, as the engine writes it; read, CRC-32 verify, ${raw ? '' : 'brotli decode, '}JSON.parse`;
    figures.push(fig(`l2.get.${label}.p99`, 'ms', 'lower', p99s, `disk hit ${label} (${how}): p99 of each of 5 rounds of ${reads}, after one warm-up round`, label === '2kb' ? '<= 0.1' : '<= 2.5'));
    figures.push(fig(`l2.get.${label}.control.p99`, 'ms', 'lower', controlP99s, `control, read after each round of hits: the same records as one plain file${raw ? '' : ' of brotli'}, readFileSync${raw ? '' : ' + decompress'} + JSON.parse, no framing or checksum`));
    figures.push(fig(`l2.get.${label}`, 'ms', 'lower', all, `every disk hit ${label}`));
  }
  return figures;
}

/** The chunk texts the engine makes of these records (and writes to disk one frame each). */
async function engineChunks(records: unknown[]): Promise<string[]> {
  const texts: string[] = [];
  for await (const c of chunkRecords((async function* () { yield* records; })())) texts.push(c.text);
  return texts;
}

async function codec(ctx: SuiteContext): Promise<Figure[]> {
  const records = instances(200_000);
  const text = Buffer.from(JSON.stringify(records));
  const frames = await engineChunks(records);
  const comp: number[] = [];
  const framed: number[] = [];
  const decomp: number[] = [];
  const gzip: number[] = [];
  let packed = compressBytes(text);
  let framedBytes = 0;
  for (let i = 0; i < (ctx.quick ? 20 : 100); i++) {
    let t0 = performance.now();
    packed = compressBytes(text);
    comp.push(performance.now() - t0);
    t0 = performance.now();
    framedBytes = 0;
    for (const f of frames) framedBytes += compress(f).length;
    framed.push(performance.now() - t0);
    t0 = performance.now();
    zlib.brotliDecompressSync(packed);
    decomp.push(performance.now() - t0);
    t0 = performance.now();
    zlib.gzipSync(text, { level: 6 });
    gzip.push(performance.now() - t0);
  }
  return [
    fig('codec.brotli1.ratio', 'x', 'higher', [text.length / packed.length], `${text.length} B of DescribeInstances-shaped JSON, one document`, '>= 10'),
    fig('codec.brotli1.compress', 'ms', 'lower', comp, 'the cache\'s codec (brotli quality 1) on the bytes of one 200 KB document', '<= 0.2'),
    fig('codec.frames.ratio', 'x', 'higher', [text.length / framedBytes], `the same records as the engine frames them (${frames.length} frames of at most 96 KiB)`, '>= 10'),
    fig('codec.frames.compress', 'ms', 'lower', framed, `the engine's whole cost for the same 200 KB: ${frames.length} chunk texts, each UTF-8 encoded and compressed`),
    fig('codec.brotli1.decompress', 'ms', 'lower', decomp, 'brotli, 200 KB'),
    fig('codec.gzip6.compress', 'ms', 'lower', gzip, 'reference: gzip level 6, same input'),
  ];
}

async function dedup(ctx: SuiteContext): Promise<Figure[]> {
  const base = defaultConfig({}, ctx.tmpDir);
  const config = (dir: string) => ({ ...base, cache: { ...base.cache, dir } });
  const op = { service: 's3', name: 'ListObjectsV2', params: { Bucket: 'bench' }, scope: { profile: 'default', region: 'us-east-1' } };
  let calls = 0;
  const fetch = async function* () {
    calls++;
    await new Promise((r) => setTimeout(r, 50));
    yield* awsInstances(100);
  };
  const drain = async (it: AsyncIterable<unknown>) => {
    let n = 0;
    for await (const _ of it) n++;
    return n;
  };
  const one = createEngine({ config: config(path.join(ctx.tmpDir, 'dedup-1')), warn: ctx.log });
  await Promise.all(Array.from({ length: 100 }, () => drain(one.stream(op, fetch))));
  await one.close();
  const inProcess = calls;
  calls = 0;
  const shared = path.join(ctx.tmpDir, 'dedup-8');
  const engines = Array.from({ length: 8 }, () => createEngine({ config: config(shared), warn: ctx.log }));
  await Promise.all(engines.map((e) => drain(e.stream(op, fetch))));
  await Promise.all(engines.map((e) => e.close()));
  fs.rmSync(shared, { recursive: true, force: true });
  return [
    fig('dedup.100-concurrent.upstream-calls', 'calls', 'lower', [inProcess], '100 concurrent identical reads, one engine', '== 1'),
    fig('dedup.8-engines.upstream-calls', 'calls', 'lower', [calls], '8 engines (separate L1 and flights) on one cache dir, concurrent', '== 1'),
  ];
}

export const suite: Suite = {
  name: 'cache',
  summary: 'L1 get vs lru-cache, Zipf hit ratios per policy, L2 hit p99, brotli ratio and speed, dedup counts.',
  async run(ctx) {
    const figures: Figure[] = [];
    for (const part of [l2Latency, codec, l1Throughput, zipfHitRatios, dedup]) {
      ctx.signal.throwIfAborted();
      ctx.log(`cache: ${part.name}`);
      figures.push(...(await part(ctx)));
    }
    return figures;
  },
};
