import { describe, expect, it } from 'vitest';
import { isEndpointUrl, isRedisUrl, maskCredentials } from '../../src/util/urls.js';

describe('urls', () => {
  it('masks user and password, in well-formed and malformed URLs alike', () => {
    const cases: Array<[string, string]> = [
      ['redis://user:s3cret@cache:6379/0', 'redis://***@cache:6379/0'],
      ['redis://:s3cret@cache:6379', 'redis://***@cache:6379'],
      ['redis://user:pa:ss@h:x', 'redis://***@h:x'], // a colon in the password
      ['redis://user:p/ss@h:6379', 'redis://***@h:6379'], // a slash in the password
      ['redis://u:p@ss@h', 'redis://***@h'], // an @ in the password
      ['redis//:s3cret@cache:6379', 'redis//:***@cache:6379'], // no ://
      ['http://AKIA:secret@localhost:4569', 'http://***@localhost:4569'],
      ['redis://cache:6379', 'redis://cache:6379'],
      ['user@example', 'user@example'],
      ['plain words', 'plain words'],
    ];
    for (const [text, masked] of cases) expect(maskCredentials(text)).toBe(masked);
  });

  it('takes endpoint and Redis URLs only with a host and their own schemes', () => {
    expect(isEndpointUrl('http://localhost:4566')).toBe(true);
    expect(isEndpointUrl('https://s3.eu-west-1.amazonaws.com')).toBe(true);
    expect(isEndpointUrl('localhost:4566')).toBe(false);
    expect(isEndpointUrl('redis://localhost')).toBe(false);
    expect(isRedisUrl('rediss://cache:6380')).toBe(true);
    expect(isRedisUrl('redis://')).toBe(false);
    expect(isRedisUrl('http://cache')).toBe(false);
  });
});
