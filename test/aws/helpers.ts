// Real parts for AWS tests: the real scheduler (fast backoff, no jitter) and an AwsRuntime over it.
// The engine is passed in by the tests that go through it.

// Fixed test credentials: the SDK signs requests, s3rver and the EC2 mock accept any key.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
delete process.env.AWS_PROFILE;

import { createScheduler, type ManagedScheduler } from '../../src/scheduler/index.js';
import type { AwsRuntime, StreamEngine } from '../../src/aws/runtime.js';

export function testScheduler(concurrency = 8): ManagedScheduler {
  return createScheduler({ concurrency, rate: 0, retries: 3, baseDelayMs: 1, throttleBaseDelayMs: 1, maxDelayMs: 5, random: () => 0.5 });
}

export function testRuntime(opts: { scheduler: ManagedScheduler; engine?: StreamEngine; region?: string; endpoint?: string; signal?: AbortSignal; concurrency?: number }): AwsRuntime {
  return {
    scope: { profile: 'default', region: opts.region ?? 'eu-west-1', endpoint: opts.endpoint },
    engine: async () => {
      if (!opts.engine) throw new Error('this test runs without an engine');
      return opts.engine;
    },
    scheduler: async () => opts.scheduler,
    signal: opts.signal ?? new AbortController().signal,
    cacheMode: 'no-cache',
    concurrency: opts.concurrency ?? 8,
    priority: 'interactive',
  };
}
