// The scheduler's public face. Every remote request runs through `schedule`, in a lane per
// service, region, profile and endpoint; priorities order the queue, with aging so low priority
// work is never starved.

export type Priority = 'interactive' | 'enrichment' | 'readahead' | 'warming';

export interface ScheduleOptions {
  priority?: Priority;
  signal?: AbortSignal;
  /** The operation this request performs (e.g. 'ec2:DescribeInstances'), named in request events. */
  operation?: string;
  /** Retry throttling and transient errors with jittered backoff (default true). */
  retry?: boolean;
}

export interface Scheduler {
  schedule<T>(lane: string, job: (signal: AbortSignal) => Promise<T>, opts?: ScheduleOptions): Promise<T>;
}
