// s3rver on a random loopback port with its own directory, plus the real engine and scheduler.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { defaultConfig } from '../../src/config/schema.js';
import type { AwsRuntime } from '../../src/aws/runtime.js';
import { testRuntime, testScheduler } from './helpers.js';

export interface S3Fixture {
  endpoint: string;
  dir: string;
  engine: Engine;
  rt(overrides?: Partial<AwsRuntime>): AwsRuntime;
  close(): Promise<void>;
}

export async function startS3(buckets: string[]): Promise<S3Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 'data'), configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = (await server.run()) as { port: number };
  const config = defaultConfig({}, dir);
  config.cache.dir = join(dir, 'cache');
  const engine = createEngine({ config, warn: () => undefined });
  const scheduler = testScheduler(16);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    dir,
    engine,
    rt: (overrides = {}) => ({ ...testRuntime({ scheduler, engine, endpoint, region: 'us-east-1', concurrency: 16 }), cacheMode: 'default', ...overrides }),
    async close() {
      await engine.close();
      await scheduler.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
