import { describe, expect, it } from 'vitest';
import { isThrottle, isTransient } from '../../src/scheduler/index.js';
import { awsError } from './helpers.js';

const sysError = (code: string) => Object.assign(new Error(code), { code });

describe('isThrottle', () => {
  it.each(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'SlowDown', 'TooManyRequestsException'])('recognises %s', (name) => {
    expect(isThrottle(awsError(name, 400))).toBe(true);
  });

  it('recognises HTTP 503 and 429 whatever the code', () => {
    expect(isThrottle(awsError('ServiceUnavailable', 503))).toBe(true);
    expect(isThrottle(awsError('Whatever', 429))).toBe(true);
  });

  it('follows the cause of a wrapping error', () => {
    expect(isThrottle(new Error('upload failed', { cause: awsError('SlowDown', 503) }))).toBe(true);
  });

  it('does not count client errors, other 5xx or non-errors as throttling', () => {
    expect(isThrottle(awsError('AccessDenied', 403))).toBe(false);
    expect(isThrottle(awsError('InternalError', 500))).toBe(false);
    expect(isThrottle(undefined)).toBe(false);
    expect(isThrottle('Throttling')).toBe(false);
  });
});

describe('isTransient', () => {
  it('recognises reset and timed-out sockets, socket hang up and 5xx other than 503', () => {
    expect(isTransient(sysError('ECONNRESET'))).toBe(true);
    expect(isTransient(sysError('ETIMEDOUT'))).toBe(true);
    expect(isTransient(new Error('socket hang up'))).toBe(true);
    expect(isTransient(awsError('InternalError', 500))).toBe(true);
    expect(isTransient(awsError('BadGateway', 502))).toBe(true);
    expect(isTransient(new Error('request failed', { cause: sysError('ECONNRESET') }))).toBe(true);
  });

  it('does not count throttling, client errors or missing files as transient', () => {
    expect(isTransient(awsError('ServiceUnavailable', 503))).toBe(false);
    expect(isTransient(awsError('NoSuchKey', 404))).toBe(false);
    expect(isTransient(sysError('ENOENT'))).toBe(false);
    expect(isTransient(null)).toBe(false);
  });
});
