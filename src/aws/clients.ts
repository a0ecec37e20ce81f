// The AWS connection pool: one SDK v3 client per (service, profile, region, endpoint), created on
// first use with `await import()` (a cached run never loads the SDK) and reused for the whole run.
// Each client gets its own keep-alive http(s) Agent through smithy's NodeHttpHandler, whose socket
// limit follows --concurrency, and a socket that stays silent for `socketTimeoutMs` (60 s: an
// idle gap, not a cap on a long download) fails the request with a TimeoutError, which the
// scheduler retries as transient. A custom endpoint switches S3 to path-style addressing (s3rver,
// MinIO, LocalStack); without one, S3 follows region redirects (a bucket in another region
// answers 301 with its region, and the SDK resends there). Credentials come from the SDK's
// standard chain; a named profile is passed as the client's `profile` option, which the chain
// honours like AWS_PROFILE. The first use of a scope fixes its client's options.

import type { S3Client } from '@aws-sdk/client-s3';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Logger } from '@smithy/types';
import { usageError } from '../errors.js';
import { fastListObjectsPlugin } from './s3/fast-list.js';

export interface AwsScope {
  profile: string;
  region: string;
  endpoint?: string;
}

export interface ClientOptions {
  /** Sockets per client (default 50, the SDK's own default). */
  maxSockets?: number;
  /** Milliseconds a request's socket may stay silent before the request fails (default 60 s). */
  socketTimeoutMs?: number;
}

interface Destroyable {
  destroy(): void;
}

const DEFAULT_MAX_SOCKETS = 50;
const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;

/**
 * The SDK's default logger has an `info` that does nothing, and its logger middleware calls
 * `logger?.info?.({ output: filter(output) })` on every response: each page of a listing was run
 * through the schema's sensitive-data filter for a log line nobody reads (~5% of `s3 ls` CPU).
 * Without `info` that argument is never built; the other levels stay, as no-ops.
 */
const QUIET_LOGGER = { trace() {}, debug() {}, warn() {}, error() {} } as unknown as Logger;
const clients = new Map<string, Promise<Destroyable>>();

function poolKey(service: string, scope: AwsScope): string {
  return `${service}\n${scope.profile}\n${scope.region}\n${scope.endpoint ?? ''}`;
}

/** Fails with a usage error when no region is known; 'all' must be fanned out before this point. */
export function requireRegion(scope: AwsScope): string {
  const region = scope.region?.trim();
  if (!region) throw usageError('NO_REGION', 'no AWS region: pass --region, set AWS_REGION, or give the profile a region', 'e.g. --region eu-west-1, or `region = eu-west-1` under the profile in ~/.aws/config');
  if (region === 'all') {
    throw usageError('REGION_ALL', "--region all is not supported by this command", 'name one region, e.g. --region eu-west-1');
  }
  return region;
}

async function commonConfig(scope: AwsScope, opts: ClientOptions | undefined) {
  const region = requireRegion(scope);
  // The SDK warns on stderr, once per process, that its 2027 releases will need Node 22: noise in
  // every command's output on the Node 20 strata supports. This variable is its opt-out.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [{ NodeHttpHandler }, http, https] = await Promise.all([
    import('@smithy/node-http-handler'),
    import('node:http'),
    import('node:https'),
  ]);
  const maxSockets = Math.max(1, opts?.maxSockets ?? DEFAULT_MAX_SOCKETS);
  const agentOpts = { keepAlive: true, maxSockets, keepAliveMsecs: 1000 };
  const requestHandler = new NodeHttpHandler({
    httpAgent: new http.Agent(agentOpts),
    httpsAgent: new https.Agent(agentOpts),
    connectionTimeout: 10_000,
    socketTimeout: opts?.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
  });
  return {
    region,
    requestHandler,
    // The scheduler owns retries (jittered backoff, adaptive concurrency): one attempt here.
    maxAttempts: 1,
    logger: QUIET_LOGGER,
    ...(scope.profile && scope.profile !== 'default' ? { profile: scope.profile } : {}),
    ...(scope.endpoint ? { endpoint: scope.endpoint } : {}),
  };
}

/**
 * The SDK's "Could not load credentials from any providers" does not say which profile it tried:
 * the error is tagged with it (`profile`), so the message can name a profile that does not exist.
 */
function nameProfileInCredentialErrors(client: { middlewareStack: { add(mw: unknown, opts: object): void } }, profile: string | undefined): void {
  if (!profile) return; // the default chain: nothing to name
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (err) {
        if ((err as Error)?.name === 'CredentialsProviderError') Object.assign(err as object, { profile });
        throw err;
      }
    },
    { step: 'initialize', name: 'strataProfileInCredentialErrors' },
  );
}

function pooled<T extends Destroyable>(service: string, scope: AwsScope, create: () => Promise<T>): Promise<T> {
  const key = poolKey(service, scope);
  let client = clients.get(key) as Promise<T> | undefined;
  if (!client) {
    client = create();
    clients.set(key, client);
    client.catch(() => clients.delete(key));
  }
  return client;
}

export async function s3Client(scope: AwsScope, opts?: ClientOptions): Promise<S3Client> {
  requireRegion(scope);
  return pooled('s3', scope, async () => {
    const [{ S3Client }, config] = await Promise.all([import('@aws-sdk/client-s3'), commonConfig(scope, opts)]);
    const custom = Boolean(scope.endpoint);
    const client = new S3Client({ ...config, forcePathStyle: custom, followRegionRedirects: !custom });
    client.middlewareStack.use(fastListObjectsPlugin);
    nameProfileInCredentialErrors(client, config.profile);
    return client;
  });
}

export async function ec2Client(scope: AwsScope, opts?: ClientOptions): Promise<EC2Client> {
  requireRegion(scope);
  return pooled('ec2', scope, async () => {
    const [{ EC2Client }, config] = await Promise.all([import('@aws-sdk/client-ec2'), commonConfig(scope, opts)]);
    const client = new EC2Client(config);
    nameProfileInCredentialErrors(client, config.profile);
    return client;
  });
}

/** Destroys every pooled client and its agents (sockets close; the process may exit). */
export function closeClients(): void {
  const all = [...clients.values()];
  clients.clear();
  for (const c of all) {
    c.then((client) => client.destroy(), () => undefined);
  }
}
