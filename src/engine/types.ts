// An Operation names one remote (or task-store) read: what the cache keys on, what the
// deduplicator shares, what the scheduler queues. Credentials never enter it.

export interface Scope {
  profile: string;
  region: string;
  /** A custom endpoint (LocalStack, MinIO, s3rver) is part of the identity. */
  endpoint?: string;
}

export interface Operation {
  /** 'ec2', 's3' ... */
  service: string;
  /** The API's operation name, e.g. 'DescribeInstances', 'ListObjectsV2'. */
  name: string;
  params: Record<string, unknown>;
  scope: Scope;
}

/** Per-lookup outcome, as lru-cache's status reports it. */
export type LookupOutcome = 'hit' | 'miss' | 'stale' | 'inflight' | 'refresh';

export type CacheMode = 'default' | 'no-cache' | 'refresh';
