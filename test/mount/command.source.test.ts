import { describe, expect, it } from 'vitest';
import { parseMountSource } from '../../src/commands/mount.js';

describe('mount source argument', () => {
  it('splits s3://bucket/prefix into a bucket and a prefix ending in /', () => {
    expect(parseMountSource('s3://b')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseMountSource('s3://b/')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseMountSource('s3://b/data/2024')).toEqual({ bucket: 'b', prefix: 'data/2024/' });
    expect(parseMountSource('s3://b/data/')).toEqual({ bucket: 'b', prefix: 'data/' });
  });

  it('refuses anything that is not an s3:// URL, as a usage error', () => {
    expect(() => parseMountSource('b/data')).toThrow(expect.objectContaining({ code: 'BAD_S3_URL', exitCode: 2 }));
  });
});
