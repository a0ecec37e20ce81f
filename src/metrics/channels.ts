// Observability by subscription: the engine and the scheduler publish what happened on
// node:diagnostics_channel; metrics, --stats and the usage log subscribe. Nothing logs.

import diagnostics_channel from 'node:diagnostics_channel';
import type { LookupOutcome } from '../engine/types.js';

/** One cache lookup in one tier. */
export interface CacheEvent {
  tier: 'memory' | 'disk' | 'redis';
  outcome: LookupOutcome | 'set' | 'evict' | 'error';
  key: string;
  bytes?: number;
  ms?: number;
}

/** One upstream request (one page, one part, one describe call). */
export interface RequestEvent {
  lane: string;
  operation: string;
  outcome: 'ok' | 'error' | 'throttled' | 'retry' | 'cancelled';
  ms: number;
  bytes?: number;
}

/** One whole command, for the usage log. */
export interface CommandEvent {
  command: string;
  argv: string[];
  ms: number;
  exitCode: number;
  /** Which tier answered the command's reads, when known. */
  answeredBy?: 'memory' | 'disk' | 'redis' | 'upstream' | 'mixed';
}

export const cacheChannel = diagnostics_channel.channel('strata:cache');
export const requestChannel = diagnostics_channel.channel('strata:request');
export const commandChannel = diagnostics_channel.channel('strata:command');

export function publishCache(e: CacheEvent): void {
  if (cacheChannel.hasSubscribers) cacheChannel.publish(e);
}
export function publishRequest(e: RequestEvent): void {
  if (requestChannel.hasSubscribers) requestChannel.publish(e);
}
export function publishCommand(e: CommandEvent): void {
  if (commandChannel.hasSubscribers) commandChannel.publish(e);
}
