import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { compileGlob, scopeGlob, validateGlob } from '../../src/cache/glob.js';
import { compileTtlRules } from '../../src/cache/ttl.js';
import { StrataError } from '../../src/errors.js';

const H = 'a'.repeat(20);

describe('TTL rules', () => {
  const defaults = defaultConfig({}, '/home/u').cache;
  const policy = compileTtlRules(defaults.ttl, defaults.defaultTtl);

  it('the most specific rule wins, whatever the order of the list', () => {
    expect(policy.ttlFor(`aws:p:us-east-1:ec2:DescribeRegions:${H}`)).toBe(24 * 3_600_000);
    expect(policy.ttlFor(`aws:p:us-east-1:ec2:DescribeInstances:${H}`)).toBe(5 * 60_000);
    const reversed = compileTtlRules([...defaults.ttl].reverse(), defaults.defaultTtl);
    expect(reversed.ttlFor(`aws:p:us-east-1:ec2:DescribeRegions:${H}`)).toBe(24 * 3_600_000);
    expect(reversed.ttlFor(`aws:p:eu-west-1:s3:ListBuckets:${H}`)).toBe(10 * 60_000);
    expect(reversed.ttlFor(`aws:p:eu-west-1:s3:ListObjectsV2:${H}`)).toBe(60_000);
  });

  it('falls back to the default TTL when no rule matches', () => {
    expect(policy.ttlFor(`aws:p:r:iam:ListUsers:${H}`)).toBe(defaults.defaultTtl);
  });

  it('a malformed rule is a usage error naming the accepted forms', () => {
    expect(() => compileTtlRules([{ match: 'aws:{ec2', ttl: 1 }], 1)).toThrow(StrataError);
  });
});

describe('key globs', () => {
  it('* spans separators, so aws:* matches every AWS key', () => {
    expect(compileGlob('aws:*')(`aws:p:r:ec2:DescribeInstances:${H}`)).toBe(true);
    expect(compileGlob('aws:*:*:s3:*')(`aws:p:r:ec2:DescribeInstances:${H}`)).toBe(false);
    expect(compileGlob('aws:p:{us,eu}-*:ec2:*')(`aws:p:eu-west-1:ec2:X:${H}`)).toBe(true);
  });

  it('a compiled glob is a plain predicate, safe to pass to Array.filter', () => {
    expect(['aws:x', 'tasks:y', 'tasks:z'].filter(compileGlob('aws:*'))).toEqual(['aws:x']);
  });

  it.each(['', 'aws:[ec2', 'aws:{a,b', 'aws: x', 'a/b'])('rejects %j with exit code 2', (glob) => {
    let err: unknown;
    try {
      validateGlob(glob);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).exitCode).toBe(2);
  });

  it('--service/--region/--profile become a scope glob', () => {
    expect(scopeGlob({ region: 'eu-west-1' })).toBe('aws:*:eu-west-1:*:*:*');
    expect(scopeGlob({ profile: 'prod', service: 's3' })).toBe('aws:prod:*:s3:*:*');
    expect(() => scopeGlob({ region: 'eu-*' })).toThrow(StrataError);
  });
});
