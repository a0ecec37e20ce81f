// Every SDK request goes out here, through the scheduler: the lane is laneOf(service, region,
// scope), the scheduler's signal is the request's abortSignal, and the SDK is imported only now,
// on the path that needs the wire. Commands are named by their API operation ('DescribeInstances').

import type { AwsRuntime } from './runtime.js';
import { clientOptions, laneOf } from './runtime.js';
import { ec2Client, s3Client } from './clients.js';

type AnyClient = { send(cmd: unknown, opts?: { abortSignal?: AbortSignal }): Promise<unknown> };
type CommandClass = new (input: Record<string, unknown>) => unknown;

async function commandClass(service: 'ec2' | 's3', operation: string): Promise<CommandClass> {
  const mod = (service === 'ec2' ? await import('@aws-sdk/client-ec2') : await import('@aws-sdk/client-s3')) as unknown as Record<string, CommandClass>;
  const cls = mod[`${operation}Command`];
  if (!cls) throw new Error(`@aws-sdk/client-${service} has no ${operation}Command`);
  return cls;
}

export async function clientFor(rt: AwsRuntime, service: 'ec2' | 's3', region: string): Promise<AnyClient> {
  const scope = { ...rt.scope, region };
  const opts = clientOptions(rt);
  return (service === 'ec2' ? await ec2Client(scope, opts) : await s3Client(scope, opts)) as unknown as AnyClient;
}

/** Sends one request through the scheduler and returns the SDK's output object. */
export async function send(rt: AwsRuntime, service: 'ec2' | 's3', region: string, operation: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const [client, Cmd, scheduler] = await Promise.all([clientFor(rt, service, region), commandClass(service, operation), rt.scheduler()]);
  return scheduler.schedule(
    laneOf(service, region, rt.scope),
    (jobSignal) => client.send(new Cmd(input), { abortSignal: jobSignal }) as Promise<Record<string, unknown>>,
    { priority: rt.priority ?? 'interactive', signal: signal ?? rt.signal, operation: `${service}:${operation}` },
  );
}
