// When the warm daemon runs: `--every` takes a duration (`15m`, every 15 minutes from the start)
// or a cron expression (`*/15 * * * *`, five fields, or six with seconds; croner, loaded only
// for cron). Both are checked where they enter: a malformed one is a usage error naming it.

import { usageError } from '../errors.js';
import { parseDurationOrNull } from '../util/units.js';

export interface Schedule {
  /** As given, e.g. '15m' or '0 * * * *'. */
  text: string;
  kind: 'interval' | 'cron';
  /** The interval for a duration; for cron, the gap between its next two runs (an estimate). */
  intervalMs: number;
  /** The first run time strictly after `after` (epoch ms). */
  next(after: number): number;
}

/** Shorter than this, warming would be a busy loop against rate limits. */
const MIN_INTERVAL_MS = 1_000;

const HINT = "give a duration such as 15m or 1h, or a cron expression such as '*/15 * * * *' (quote it)";

/**
 * The shape of a schedule, checked without croner (the config loader checks `warm.every` with it):
 * a duration of at least 1 s (its ms), or text of five fields or more, a cron expression that
 * croner then parses in full (parseSchedule; the config loader checks only this shape).
 */
export function scheduleShape(text: string, what = '--every'): { intervalMs: number } | { cron: string } {
  const trimmed = text.trim();
  const ms = parseDurationOrNull(trimmed);
  if (ms !== null) {
    if (ms < MIN_INTERVAL_MS) throw usageError('BAD_SCHEDULE', `${what} '${text}' is shorter than 1s`, HINT);
    return { intervalMs: ms };
  }
  if (trimmed.split(/\s+/).length < 5) {
    throw usageError('BAD_SCHEDULE', `${what} '${text}' is neither a duration nor a cron expression`, HINT);
  }
  return { cron: trimmed };
}

export async function parseSchedule(text: string, what = '--every'): Promise<Schedule> {
  const shape = scheduleShape(text, what);
  if ('intervalMs' in shape) {
    const ms = shape.intervalMs;
    return { text: text.trim(), kind: 'interval', intervalMs: ms, next: (after) => after + ms };
  }
  const trimmed = shape.cron;
  const { Cron } = await import('croner');
  let cron: InstanceType<typeof Cron>;
  try {
    cron = new Cron(trimmed, { paused: true });
  } catch (err) {
    throw usageError('BAD_SCHEDULE', `${what} '${text}' is not a valid cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`, HINT);
  }
  const next = (after: number): number => {
    const d = cron.nextRun(new Date(after));
    if (!d) throw usageError('BAD_SCHEDULE', `${what} '${text}' never fires again`, HINT);
    return d.getTime();
  };
  const now = Date.now();
  const first = next(now);
  return { text: trimmed, kind: 'cron', intervalMs: next(first) - first, next };
}
