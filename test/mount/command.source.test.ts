import { describe, expect, it } from 'vitest';
import { parseMountSource } from '../../src/commands/mount.js';

describe('mount source argument', () => {
  it('splits s3://bucket/prefix into a bucket and a prefix ending in /', () => {
    expect(parseMountSource('s3://bkt')).toEqual({ bucket: 'bkt', prefix: '' });
    expect(parseMountSource('s3://bkt/')).toEqual({ bucket: 'bkt', prefix: '' });
    expect(parseMountSource('s3://bkt/data/2024')).toEqual({ bucket: 'bkt', prefix: 'data/2024/' });
    expect(parseMountSource('s3://bkt/data/')).toEqual({ bucket: 'bkt', prefix: 'data/' });
  });

  it('refuses anything that is not an s3:// URL, as a usage error', () => {
    expect(() => parseMountSource('b/data')).toThrow(expect.objectContaining({ code: 'BAD_S3_URL', exitCode: 2 }));
    // the same bucket-name rules as every other S3 URL
    expect(() => parseMountSource('s3://Bad_Bucket/x')).toThrow(expect.objectContaining({ code: 'BAD_S3_URL', exitCode: 2 }));
  });
});
