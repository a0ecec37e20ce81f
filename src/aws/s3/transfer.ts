// What every transfer shares: the runtime, one byte limiter (--max-bandwidth), one progress bar,
// and the S3 client of the run's region with its scheduler lane. Requests go through `schedule`.

import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsRuntime } from '../runtime.js';
import { clientOptions, laneOf } from '../runtime.js';
import type { ScheduleOptions } from '../../scheduler/types.js';
import { s3Client } from '../clients.js';
import type { ByteLimiter } from './bandwidth.js';
import type { Progress } from './progress.js';
import { s3Region } from './list.js';

export interface TransferEnv {
  rt: AwsRuntime;
  limiter: ByteLimiter;
  progress: Progress;
}

export interface S3Wire {
  client: S3Client;
  /**
   * Runs one request (or one request and its body) in the S3 lane, cancelled by the run's signal;
   * `operation` ('PutObject') names it in request events (`perf report`, `--stats`).
   */
  run<T>(operation: string, job: (signal: AbortSignal) => Promise<T>, opts?: ScheduleOptions): Promise<T>;
}

export async function s3Wire(rt: AwsRuntime): Promise<S3Wire> {
  const region = s3Region(rt);
  const [client, scheduler] = await Promise.all([s3Client({ ...rt.scope, region }, clientOptions(rt)), rt.scheduler()]);
  const lane = laneOf('s3', region, rt.scope);
  return {
    client,
    run: (operation, job, opts) => scheduler.schedule(lane, job, { priority: rt.priority ?? 'interactive', signal: rt.signal, ...opts, operation: `s3:${operation}` }),
  };
}
