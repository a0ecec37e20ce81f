// The cache key scheme (src/engine/key.ts; task indexes: src/tasks/index-file.ts): equivalent calls share a key, the scope and the
// endpoint separate keys, and no credential reaches a key or any file of the cache dir.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskStore } from '../../src/cache/disk.js';
import { compileGlob } from '../../src/cache/glob.js';
import { createEngine } from '../../src/engine/index.js';
import { bucketListingGlob, canonicalJson, operationKey } from '../../src/engine/key.js';
import { indexKeyOf, indexPathFor } from '../../src/tasks/index-file.js';
import type { Operation, Scope } from '../../src/engine/types.js';
import { ManualClock } from '../../src/util/clock.js';
import { collect, tempDir, testConfig, upstream } from './fixtures/config.js';

const scope: Scope = { profile: 'default', region: 'us-east-1' };
const ec2 = (params: Record<string, unknown>, s: Scope = scope): Operation => ({ service: 'ec2', name: 'DescribeInstances', params, scope: s });
const key = (params: Record<string, unknown>, s?: Scope) => operationKey(ec2(params, s));
const HASH = '[0-9a-f]{20}';

describe('equivalent calls share a key', () => {
  it('ignores the order of parameters, at every depth', () => {
    const a = key({ Filters: [{ Name: 'tag:env', Values: ['prod'] }], InstanceIds: ['i-1'] });
    const b = key({ InstanceIds: ['i-1'], Filters: [{ Values: ['prod'], Name: 'tag:env' }] });
    expect(a).toBe(b);
    // array order is meaning (ids, filter values), not key order: it is kept
    expect(key({ InstanceIds: ['i-2', 'i-1'] })).not.toBe(key({ InstanceIds: ['i-1', 'i-2'] }));
  });

  it('drops the API defaults: undefined, null, empty arrays and empty objects', () => {
    const plain = key({ Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] });
    expect(key({ Filters: [{ Name: 'vpc-id', Values: ['vpc-1'], Extra: null }], InstanceIds: [], DryRun: undefined, Options: {} })).toBe(plain);
    expect(key({})).toBe(key({ InstanceIds: [], Filters: undefined }));
    // a value that is set is never a default
    expect(key({ DryRun: false })).not.toBe(key({}));
  });

  it('drops top-level page-size fields, which change the paging and never the records', () => {
    for (const field of ['MaxResults', 'MaxKeys', 'MaxUploads', 'MaxParts', 'PageSize', 'pageSize']) {
      expect(key({ [field]: 5 })).toBe(key({}));
      expect(key({ [field]: 1000, Filters: [{ Name: 'a', Values: ['b'] }] })).toBe(key({ Filters: [{ Name: 'a', Values: ['b'] }] }));
    }
    // nested fields of the same name are data, not paging
    expect(key({ Limits: { MaxResults: 5 } })).not.toBe(key({ Limits: { MaxResults: 6 } }));
  });

  it('separates calls that mean different things', () => {
    expect(key({ InstanceIds: ['i-1'] })).not.toBe(key({ InstanceIds: ['i-2'] }));
    expect(key({ StartingToken: 'page2' })).not.toBe(key({}));
    expect(key({}, { ...scope, profile: 'prod' })).not.toBe(key({}));
    expect(key({}, { ...scope, region: 'eu-west-1' })).not.toBe(key({}));
  });
});

describe('scope and endpoint', () => {
  const endpoint = 'http://AKIAUSER:p4ssw0rd-in-url@localstack.internal:4566';

  it('a custom endpoint changes the key, yet never appears in it', () => {
    const onAws = key({ InstanceIds: ['i-1'] });
    const local = key({ InstanceIds: ['i-1'] }, { ...scope, endpoint });
    expect(local).not.toBe(onAws);
    expect(key({ InstanceIds: ['i-1'] }, { ...scope, endpoint: 'http://127.0.0.1:4566' })).not.toBe(local);
    for (const part of ['AKIAUSER', 'p4ssw0rd', 'localstack', '4566', 'http']) expect(local).not.toContain(part);
    // profile, region and service stay readable, so scope globs still match endpoint entries
    expect(local).toMatch(new RegExp(`^aws:default:us-east-1:ec2:DescribeInstances:${HASH}$`));
    expect(compileGlob('aws:*:us-east-1:*')(local)).toBe(true);
  });

  it('credential-like parameters never reach the key', () => {
    const secrets = {
      SecretAccessKey: 'wJalrXUtnFEMI-secret',
      SessionToken: 'FQoGZXIvYXdzE-token',
      AccessKeyId: 'AKIAEXAMPLE',
      Password: 'hunter2',
      SSECustomerKey: 'c3NlLWtleQ==',
      Credentials: { Token: 'nested' },
    };
    const params = { Bucket: 'logs', Prefix: 'a/' };
    expect(operationKey({ service: 's3', name: 'ListObjectsV2', params: { ...params, ...secrets }, scope }))
      .toBe(operationKey({ service: 's3', name: 'ListObjectsV2', params, scope }));
    // the canonical text that is hashed holds none of them either, at any depth
    const canonical = canonicalJson({ ...params, Nested: { ...secrets, kept: 1 } });
    for (const v of ['wJalr', 'FQoGZ', 'AKIAEXAMPLE', 'hunter2', 'c3NlLWtleQ', 'nested']) expect(canonical).not.toContain(v);
    expect(canonical).toBe('{"Bucket":"logs","Nested":{"kept":1},"Prefix":"a/"}');
  });
});

describe('key shapes', () => {
  it('aws:<profile>:<region>:<service>:<Operation>:<hash>, with S3 keys naming their bucket', () => {
    expect(key({})).toMatch(new RegExp(`^aws:default:us-east-1:ec2:DescribeInstances:${HASH}$`));
    const s3 = operationKey({ service: 's3', name: 'ListObjectsV2', params: { Bucket: 'my.logs', Prefix: 'x/' }, scope: { profile: 'prod', region: 'eu-west-1' } });
    expect(s3).toMatch(new RegExp(`^aws:prod:eu-west-1:s3:ListObjectsV2:my\\.logs:${HASH}$`));
    expect(compileGlob(bucketListingGlob('my.logs'))(s3)).toBe(true);
    expect(compileGlob(bucketListingGlob('other'))(s3)).toBe(false);
    // empty profile and region fall back; separators and glob characters cannot enter a segment
    expect(operationKey({ service: 's3', name: 'ListBuckets', params: {}, scope: { profile: '', region: '' } })).toMatch(new RegExp(`^aws:default:global:s3:ListBuckets:${HASH}$`));
    expect(key({}, { profile: 'team:a*', region: 'us east' }).split(':').slice(0, 3)).toEqual(['aws', 'team_a_', 'us_east']);
  });

  it('tasks:<folder hash>:index, one per folder, the folder hashed and never in clear text', () => {
    const keyOf = (dir: string) => indexKeyOf(indexPathFor('/cache', dir));
    const k = keyOf('/home/ann/tasks');
    expect(k).toMatch(/^tasks:[0-9a-f]{16}:index$/);
    expect(k).not.toContain('ann');
    expect(compileGlob('tasks:*')(k)).toBe(true);
    // the same folder however it is spelled; another folder, another key
    expect(keyOf('/home/ann/./tasks/')).toBe(k);
    expect(keyOf('/home/bob/tasks')).not.toBe(k);
  });
});

describe('no secret reaches the cache dir', () => {
  const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
  const saved = names.map((n) => process.env[n]);
  afterEach(() => {
    names.forEach((n, i) => (saved[i] === undefined ? delete process.env[n] : (process.env[n] = saved[i])));
  });

  it('after a real write with AWS secrets in the environment and user:password in the endpoint', async () => {
    const secrets = ['ENV-SECRET-wJalrXUtnFEMI', 'ENV-SESSION-FQoGZXIvYXdz', 'URLUSER-AKIA', 'URLPASS-s3cr3t'];
    process.env.AWS_ACCESS_KEY_ID = 'AKIA-ID-not-secret';
    process.env.AWS_SECRET_ACCESS_KEY = secrets[0];
    process.env.AWS_SESSION_TOKEN = secrets[1];
    const dir = tempDir();
    const engine = createEngine({ config: testConfig(dir), clock: new ManualClock(), warn: () => {} });
    const op: Operation = {
      service: 's3',
      name: 'ListObjectsV2',
      params: { Bucket: 'logs', Prefix: 'a/', SSECustomerKey: secrets[0] },
      scope: { profile: 'default', region: 'us-east-1', endpoint: `http://${secrets[2]}:${secrets[3]}@127.0.0.1:4566` },
    };
    // one small page (stored as it is) and one large one (compressed), so both frame kinds are checked
    const pages = [[{ Key: 'a/1', Size: 1 }], Array.from({ length: 300 }, (_, i) => ({ Key: `a/${i}`, Size: i, StorageClass: 'STANDARD' }))];
    expect(await collect(engine.stream(op, upstream(pages).fetch))).toHaveLength(301);
    await engine.close(); // writes the stats log too

    const files = walk(dir);
    expect(files.some((f) => /\.[et]$/.test(f))).toBe(true);
    const store = new DiskStore({ dir, maxBytes: 1e9, now: Date.now });
    const decoded = [...store.list()].map((e) => [...store.read(e.key)!.chunks()].join('') + e.key);
    expect(decoded.join('')).toContain('"Key":"a/299"');
    for (const text of [...files.map((f) => fs.readFileSync(f).toString('latin1')), ...decoded, ...files]) {
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });
});

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(d.parentPath, d.name)) : [path.join(d.parentPath, d.name)]));
}
