// `cache warm --every <duration|cron>`: a long-running warmer. It warms once at start, then on
// the schedule, and yields one summary record per round.
//
// - Crashes: a round that throws (not a failing line — those are counted inside the round) is
//   logged on stderr and run again after a backoff of 1 s, 2 s, 4 s … capped at the schedule's
//   interval (and 5 min); a successful round resets it. A round skipped because another warmer
//   holds the lock is not a crash: it waits for the next slot.
// - Hot reload: the config file is watched (src/config/watch.ts). A valid edit replaces the config
//   of the next round — TTL rules, scheduler limits and, when `warm.every` changed, the schedule
//   (the wait in progress is re-planned at once). An invalid edit, or a malformed new schedule,
//   is reported and the old config stays in force. Each round builds its engine and scheduler
//   from the config in force when it starts; a round in flight finishes under the old one.
// - Shutdown: every handle (config watcher, live publisher, metrics subscription, lock, timers)
//   is in a Resources registry; on SIGINT/SIGTERM the round in flight may finish within the
//   deadline, then everything is released and the process exits 0 (TERM) or 130 (INT).
// - Live metrics: a snapshot every second for `perf dashboard` (src/metrics/live.ts).

import type { Rec } from '../cli/types.js';
import type { Config } from '../config/schema.js';
import type { LoadOptions } from '../config/load.js';
import { StrataError } from '../errors.js';
import { Metrics } from '../metrics/metrics.js';
import { systemClock, type Clock } from '../util/clock.js';
import { Resources, stopSignalOf, type ShutdownReport } from '../util/resources.js';
import { sleep } from '../util/sleep.js';
import { parseSchedule, type Schedule } from './schedule.js';
import type { WarmSummary } from './round.js';
import type { WarmScope } from './line-format.js';
import { warmOnce, type WarmOnceOptions, type WarmSource } from './warmer.js';

interface RestartPolicy {
  /** First delay after a crash, ms. @default 1000 */
  baseMs: number;
  /** Longest delay, ms. @default min(interval, 5 min) */
  maxMs?: number;
}

export interface DaemonOptions {
  config: Config;
  /** --every; when absent, config.warm.every. */
  every?: string;
  /** The plan's source when the config names none (a --list flag, else the usage log). */
  source: WarmSource;
  /** True when --list was given: the config's warm.list does not override it. */
  sourceFromFlag: boolean;
  /** The config file to watch for hot reload. */
  configFile?: { path: string; load: LoadOptions };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** --ahead; default: the schedule's interval + 30 s, so nothing expires before the next round. */
  aheadMs?: number;
  /** Scope flags given to `cache warm`, for every line that does not set its own (round.ts). */
  scope?: WarmScope;
  warn(message: string): void;
  /** One line on stderr (daemon log: rounds, crashes, reloads). */
  log(line: string): void;
  /** Aborted on SIGINT/SIGTERM (ctx.signal). */
  stop: AbortSignal;
  resources?: Resources;
  clock?: Clock;
  restart?: RestartPolicy;
  /** Shutdown deadline, ms. */
  deadlineMs?: number;
  /** Publishes live metrics for `perf dashboard`; tests turn it off. @default true */
  live?: boolean;
  /** The pass a round runs (tests inject a crashing one). @default warmOnce */
  warm?: (opts: WarmOnceOptions) => Promise<{ summary: WarmSummary; results?: unknown[] }>;
  /** Called with the shutdown report before the generator ends. */
  onShutdown?(report: ShutdownReport): void;
}

const MAX_RESTART_MS = 5 * 60_000;
const AHEAD_SLACK_MS = 30_000;

export function restartDelay(failures: number, policy: RestartPolicy, intervalMs: number): number {
  const max = policy.maxMs ?? Math.min(MAX_RESTART_MS, Math.max(policy.baseMs, intervalMs));
  return Math.min(max, policy.baseMs * 2 ** Math.max(0, failures - 1));
}

function sourceOf(config: Config, opts: DaemonOptions): WarmSource {
  return !opts.sourceFromFlag && config.warm.list ? { list: config.warm.list } : opts.source;
}

export async function* runDaemon(opts: DaemonOptions): AsyncGenerator<Rec> {
  const clock = opts.clock ?? systemClock;
  const resources = opts.resources ?? new Resources();
  const warm = opts.warm ?? warmOnce;
  const restart = opts.restart ?? { baseMs: 1000 };
  const everyText = opts.every ?? opts.config.warm.every;
  if (!everyText) throw new StrataError('WARM_NO_SCHEDULE', 'cache warm --every needs a schedule', { kind: 'usage', hint: 'give --every 15m (or a cron expression), or set warm.every in the config file' });
  let schedule: Schedule = await parseSchedule(everyText);
  let config = opts.config;
  let wake = new AbortController();
  let nextAt = clock.now();
  let rounds = 0;
  let failures = 0;
  let lastStart: number | undefined;

  const metrics = new Metrics(clock);
  resources.register('metrics subscription', metrics.subscribe());
  metrics.gauge('warm.rounds', () => rounds);
  metrics.gauge('warm.failures', () => failures);
  metrics.gauge('warm.nextRunInMs', () => Math.max(0, nextAt - clock.now()));
  if (opts.live !== false) {
    const { startLivePublisher } = await import('../metrics/live.js');
    resources.register('live publisher', startLivePublisher(config.cache.dir, metrics, { title: `cache warm --every ${schedule.text}`, onError: () => opts.warn(`cannot publish live metrics in ${config.cache.dir}`) }));
  }

  if (opts.configFile) {
    const { watchConfig } = await import('../config/watch.js');
    let applying = Promise.resolve();
    const reject = (why: string) => opts.log(`strata: warm: config edit rejected: ${why}; the previous configuration stays in force`);
    const watcher = watchConfig(
      opts.configFile.path,
      opts.configFile.load,
      (next) => {
        applying = applying.then(async () => {
          let nextSchedule = schedule;
          if (next.warm.every && next.warm.every !== config.warm.every) {
            try {
              nextSchedule = await parseSchedule(next.warm.every, 'warm.every');
            } catch (err) {
              reject((err as Error).message);
              return;
            }
          }
          config = next;
          opts.log(`strata: warm: config reloaded (every ${nextSchedule.text}, ${next.cache.ttl.length} TTL rules, concurrency ${next.scheduler.concurrency}, rate ${next.scheduler.rate})`);
          if (nextSchedule !== schedule) {
            schedule = nextSchedule;
            nextAt = schedule.next(lastStart ?? clock.now());
            wake.abort();
          }
        });
      },
      (err) => reject(err.message),
    );
    resources.register('config watcher', () => watcher.close());
  }

  const shutdown = () => resources.shutdown({ signal: stopSignalOf(opts.stop), deadlineMs: opts.deadlineMs });
  const onStop = () => {
    void shutdown();
    wake.abort();
  };
  opts.stop.addEventListener('abort', onStop, { once: true });
  if (opts.stop.aborted) onStop();

  try {
    while (!resources.stopping) {
      await waitUntil(nextAt, clock, wake.signal);
      if (wake.signal.aborted) {
        wake = new AbortController();
        continue;
      }
      if (resources.stopping) break;
      lastStart = clock.now();
      try {
        const { summary } = await resources.track('warm round', () =>
          warm({ config, source: sourceOf(config, opts), env: opts.env, cwd: opts.cwd, signal: resources.workSignal, warn: opts.warn, aheadMs: opts.aheadMs ?? schedule.intervalMs + AHEAD_SLACK_MS, scope: opts.scope, clock }),
        );
        rounds++;
        failures = 0;
        nextAt = Math.max(schedule.next(lastStart), clock.now());
        yield { round: rounds, at: new Date(lastStart).toISOString(), ...summary, nextAt: new Date(nextAt).toISOString() };
      } catch (err) {
        if (resources.stopping) break;
        const e = err as StrataError;
        if (e?.code === 'WARM_LOCKED') {
          opts.log(`strata: warm: round skipped: ${e.message}`);
          nextAt = schedule.next(clock.now());
          continue;
        }
        failures++;
        const delay = restartDelay(failures, restart, schedule.intervalMs);
        nextAt = clock.now() + delay;
        opts.log(`strata: warm: round failed (${e?.message ?? String(err)}); restarting in ${formatMs(delay)} (failure ${failures} in a row)`);
      }
    }
  } finally {
    opts.stop.removeEventListener('abort', onStop);
    const report = await shutdown();
    for (const f of report.failed) opts.log(`strata: warm: could not release ${f.name}: ${f.message}`);
    opts.onShutdown?.(report);
  }
}

/** Resolves at `at` (clock time) or as soon as `wake` aborts; leaves no timer behind. */
function waitUntil(at: number, clock: Clock, wake: AbortSignal): Promise<void> {
  return sleep(Math.max(0, at - clock.now()), wake, { resolveOnAbort: true });
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : ms < 120_000 ? `${Math.round(ms / 100) / 10}s` : `${Math.round(ms / 60_000)}m`;
}
