// SDK failures as StrataErrors: one line saying what was wrong and a hint saying what to do.
// Codes users meet (no credentials, no bucket/key, access denied, a bucket in another region, no
// answer, nothing listening, a connection cut) get their own message; anything else keeps the
// service's code and message. Aborts pass through untouched.

import { StrataError, runtimeError } from '../errors.js';

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** Where to look when the endpoint cannot be reached. */
const NETWORK_HINT = 'check --endpoint-url (or AWS_ENDPOINT_URL) and the network, then run again';

export function isAbort(err: unknown): boolean {
  const e = err as { name?: string } | null;
  return !!e && (e.name === 'AbortError' || e.name === 'Aborted');
}

/** `what` names the resource, e.g. `s3://bucket/key` or `ec2 DescribeInstances in eu-west-1`. */
export function awsError(err: unknown, what: string): unknown {
  if (err instanceof StrataError || isAbort(err)) return err;
  const e = (err ?? {}) as SdkError;
  const code = e.name && e.name !== 'Error' ? e.name : (e.Code ?? e.code ?? 'Error');
  const status = e.$metadata?.httpStatusCode;
  const message = e.message ?? String(err);
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    const profile = (e as { profile?: string }).profile; // tagged by the client (clients.ts)
    if (profile) {
      return runtimeError('NO_CREDENTIALS', `no AWS credentials found for ${what} with profile '${profile}'`, `check that [profile ${profile}] is in ~/.aws/config (or [${profile}] in ~/.aws/credentials) with credentials, or drop --profile / AWS_PROFILE`, err);
    }
    return runtimeError('NO_CREDENTIALS', `no AWS credentials found for ${what}`, 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, or pass --profile <name>', err);
  }
  if (code === 'NoSuchBucket') return runtimeError('NO_SUCH_BUCKET', `bucket does not exist: ${what}`, 'check the bucket name with `strata s3 buckets`', err);
  if (code === 'NoSuchKey' || (code === 'NotFound' && status === 404)) {
    return runtimeError('NO_SUCH_KEY', `object does not exist: ${what}`, 'check the key with `strata s3 ls`', err);
  }
  if (code === 'AccessDenied' || code === 'UnauthorizedOperation' || code === 'Forbidden' || status === 403) {
    return runtimeError('ACCESS_DENIED', `access denied: ${what}`, 'check the IAM permissions of the profile in use (--profile)', err);
  }
  if (code === 'PreconditionFailed' || status === 412) {
    return runtimeError('OBJECT_CHANGED', `object changed while it was read: ${what}`, 'run the command again', err);
  }
  if (code === 'PermanentRedirect' || status === 301) {
    const region = e.$response?.headers?.['x-amz-bucket-region'];
    return runtimeError('WRONG_REGION', `the bucket is in another region: ${what}`, region ? `pass --region ${region}` : 'pass --region <bucket region>', err);
  }
  if (code === 'TimeoutError') return runtimeError('TIMEOUT', `the server did not answer in time: ${what}`, NETWORK_HINT, err);
  if (e.code === 'ECONNRESET') return runtimeError('CONNECTION_CUT', `the connection was cut while transferring ${what}`, NETWORK_HINT, err);
  if (e.code === 'ECONNREFUSED') return runtimeError('CONNECTION_REFUSED', `connection refused: ${what}${message ? ` (${message})` : ''}`, `nothing answers there: ${NETWORK_HINT}`, err);
  if (code === 'AuthFailure' || code === 'InvalidClientTokenId' || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch') {
    return runtimeError('BAD_CREDENTIALS', `AWS rejected the credentials for ${what} (${code})`, 'check the keys of the profile in use, or pass --profile <name>', err);
  }
  return runtimeError(code.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), `${what}: ${code}: ${message}`, 'run again with --verbose for details', err);
}
