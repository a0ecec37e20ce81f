// The configuration: one typed object, defaults here, validated where it enters
// (src/config/load.ts) with messages that name the key and the expected form.

import type { OutputFormat } from '../cli/globals.js';

export interface TtlRule {
  /** Glob on the cache key, e.g. `aws:*:*:ec2:DescribeRegions:*`. */
  match: string;
  /** Milliseconds. */
  ttl: number;
}

export type EvictionPolicy = 'sieve' | 'lru' | 'lfu' | 'ttl';

export interface Config {
  output?: OutputFormat;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  cache: {
    /** Directory of the L2 tier and of every strata state file. */
    dir: string;
    memory: { maxEntries: number; maxBytes: number; policy: EvictionPolicy };
    disk: { maxBytes: number };
    redisUrl?: string;
    /** Give up on Redis after this many ms and carry on from the local tiers. */
    redisTimeout: number;
    /** Default TTL in ms when no rule matches. */
    defaultTtl: number;
    ttl: TtlRule[];
    /** Serve an expired entry (with a warning) when upstream fails, up to this age past expiry, ms. */
    staleIfError: number;
  };
  scheduler: {
    /** Requests in flight per lane (service, region, profile, endpoint). */
    concurrency: number;
    /** Requests per second per lane (service, region, profile, endpoint; 0: no cap). */
    rate: number;
    retries: number;
  };
  tasks: {
    dir: string;
    statuses: string[];
    priorities: string[];
  };
  warm: {
    every?: string;
    list?: string;
  };
}

const MINUTE = 60_000;

/** The task statuses and priorities a fresh install accepts (config `tasks.statuses` / `tasks.priorities`). */
export const DEFAULT_TASK_STATUSES = ['todo', 'in_progress', 'blocked', 'review', 'done', 'cancelled'];
export const DEFAULT_TASK_PRIORITIES = ['low', 'medium', 'high', 'critical'];

/** Where the cache lives when neither the config file nor $STRATA_CACHE_DIR says. */
export function defaultCacheDir(env: NodeJS.ProcessEnv, home: string): string {
  return env.XDG_CACHE_HOME ? `${env.XDG_CACHE_HOME}/strata` : `${home}/.cache/strata`;
}

export function defaultConfig(env: NodeJS.ProcessEnv, home: string): Config {
  return {
    cache: {
      dir: defaultCacheDir(env, home),
      memory: { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, policy: 'sieve' },
      disk: { maxBytes: 512 * 1024 * 1024 },
      redisTimeout: 250,
      defaultTtl: 5 * MINUTE,
      ttl: [
        { match: 'aws:*:*:ec2:DescribeRegions:*', ttl: 24 * 60 * MINUTE },
        { match: 'aws:*:*:ec2:DescribeImages:*', ttl: 60 * MINUTE },
        { match: 'aws:*:*:ec2:*', ttl: 5 * MINUTE },
        { match: 'aws:*:*:s3:ListBuckets:*', ttl: 10 * MINUTE },
        { match: 'aws:*:*:s3:*', ttl: 1 * MINUTE },
      ],
      staleIfError: 24 * 60 * MINUTE,
    },
    scheduler: { concurrency: 16, rate: 0, retries: 4 },
    tasks: {
      dir: 'tasks',
      statuses: [...DEFAULT_TASK_STATUSES],
      priorities: [...DEFAULT_TASK_PRIORITIES],
    },
    warm: {},
  };
}
