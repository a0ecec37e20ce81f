import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../src/cache/glob.js';

describe('cache key globs', () => {
  it.each([
    ['aws:*', 'aws:default:us-east-1:ec2:DescribeInstances:abc', true],
    ['aws:*', 'tasks:abc:List:def', false],
    ['aws:prod:*:ec2:*', 'aws:prod:eu-west-1:ec2:DescribeVolumes:h', true],
    ['aws:prod:*:ec2:*', 'aws:dev:eu-west-1:ec2:DescribeVolumes:h', false],
    ['aws:*:us-east-?:*', 'aws:p:us-east-2:s3:ListBuckets:h', true],
    ['aws:*:us-east-?:*', 'aws:p:us-east-12:s3:ListBuckets:h', false],
    ['aws:p:[ue][su]-*', 'aws:p:eu-west-1:x', true],
    ['aws:p:[!e]*', 'aws:p:eu-west-1:x', false],
    ['aws:*:{ec2,s3}:*', 'aws:p:r:s3:ListObjectsV2:b:h', true],
    ['aws:*:{ec2,s3}:*', 'aws:p:r:iam:ListUsers:h', false],
    ['aws:*:s3:List{Buckets,Objects{V2,}}:*', 'aws:p:r:s3:ListObjects:h', true],
    ['a.b+c(d)', 'a.b+c(d)', true],
    ['a.b', 'axb', false],
    ['aws:p:r:s3:ListObjectsV2:my.bucket:*', 'aws:p:r:s3:ListObjectsV2:my.bucket:123', true],
  ])('%s matches %s: %s', (glob, key, expected) => {
    expect(compileGlob(glob)(key)).toBe(expected);
  });

  it('refuses malformed patterns with the accepted forms', () => {
    expect(() => compileGlob('aws:[ec2')).toThrow(/unbalanced '\['/);
    expect(() => compileGlob('aws:{a,b')).toThrow(/unbalanced '\{'/);
    expect(() => compileGlob('')).toThrow(/is empty/);
  });
});
