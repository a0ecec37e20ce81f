// One warming pass, as `cache warm` runs it and as each round of the daemon runs it:
// take the warmer lock, plan (the list file, re-read each time so edits apply; else the usage
// log), run the round, release the lock. The lock (`<cacheDir>/locks/`, the engine's LockDir)
// stops two warmers from overlapping; a crashed warmer's lock is taken over once its pid is dead
// (same host) or its heartbeat is 30 s old.

import { readFile } from 'node:fs/promises';
import { LockDir, type Lock } from '../cache/lock.js';
import type { Config } from '../config/schema.js';
import { runtimeError, usageError } from '../errors.js';
import { readUsage } from '../metrics/usage-log.js';
import { systemClock, type Clock } from '../util/clock.js';
import { parseList, planFromUsage, rankUsage, type PlannedItem, DEFAULT_HALF_LIFE_MS } from './plan.js';
import { warmRound, type ItemResult, type RoundOptions, type WarmSummary } from './round.js';

export const WARM_LOCK_KEY = 'strata:warm';

/** Where a plan comes from: a list file ('-' for stdin text already read), or the usage log. */
export type WarmSource = { list: string; stdinText?: string } | { usage: { halfLifeMs?: number; limit?: number } };

/** Entries expiring within this are refreshed by a one-shot warm: about the time a person takes to get to the command. */
export const DEFAULT_AHEAD_MS = 2 * 60_000;

export function warmLocks(cacheDir: string, clock: Clock = systemClock): LockDir {
  return new LockDir({ dir: cacheDir, now: () => clock.now() });
}

/** The warmer lock, or a runtime error naming the warmer that holds it. */
export function acquireWarmLock(cacheDir: string, clock: Clock = systemClock): Lock {
  const locks = warmLocks(cacheDir, clock);
  try {
    locks.init();
  } catch (err) {
    throw runtimeError('WARM_CACHE_DIR', `cannot use the cache directory ${cacheDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'set STRATA_CACHE_DIR to a writable directory');
  }
  const lock = locks.tryAcquire(WARM_LOCK_KEY);
  if (lock) return lock;
  const h = locks.holder(WARM_LOCK_KEY);
  throw runtimeError(
    'WARM_LOCKED',
    `another cache warm is running on ${cacheDir}${h ? ` (pid ${h.pid} on ${h.host})` : ''}`,
    'wait for it to finish; a crashed warmer\'s lock is taken over once its process is gone or 30 s after its last heartbeat',
  );
}

async function planItems(source: WarmSource, cacheDir: string, clock: Clock, warn: (m: string) => void): Promise<PlannedItem[]> {
  if ('list' in source) {
    let text = source.stdinText;
    if (text === undefined) {
      try {
        text = await readFile(source.list, 'utf8');
      } catch (err) {
        throw usageError('WARM_LIST', `cannot read the warm list ${source.list} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'give --list a readable file with one strata command per line');
      }
    }
    return parseList(text, source.list === '-' ? 'stdin' : source.list);
  }
  const now = clock.now();
  const halfLife = source.usage.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
  // Past 8 half-lives a run weighs < 0.4%: not worth reading.
  const events = await readUsage(cacheDir, { since: now - 8 * halfLife });
  return planFromUsage(rankUsage(events, { now, halfLifeMs: halfLife, limit: source.usage.limit }), warn);
}

export interface WarmOnceOptions extends Omit<RoundOptions, 'config'> {
  config: Config;
  source: WarmSource;
  clock?: Clock;
}

/** Lock, plan, run one round, unlock. A dry run takes no lock (it writes nothing). */
export async function warmOnce(opts: WarmOnceOptions): Promise<{ summary: WarmSummary; results: ItemResult[] }> {
  const clock = opts.clock ?? systemClock;
  const cacheDir = opts.config.cache.dir;
  const lock = opts.dryRun ? undefined : acquireWarmLock(cacheDir, clock);
  try {
    const items = await planItems(opts.source, cacheDir, clock, opts.warn);
    return await warmRound(items, opts);
  } finally {
    lock?.release();
  }
}
