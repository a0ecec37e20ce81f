// One warming round: run each planned command line in process, through its own command
// definition, with the records discarded. Nothing bypasses the engine: the command reads as it
// always does, and only two things differ from a shell run —
//   - the engine is a WarmingEngine (refresh what is missing or about to expire, skip the rest);
//   - every request is queued at priority 'warming' in one scheduler shared by the round, so the
//     lanes' concurrency and rate limits bound the round as a whole and interactive work in the
//     same process always goes first.
// A failing line is reported and counted; the others go on.

import { Readable, Writable } from 'node:stream';
import type { CommandContext, IO } from '../cli/types.js';
import { createServices, type SchedulerHandle, type Services } from '../cli/services.js';
import { resolveGlobals } from '../cli/resolve-globals.js';
import type { Config } from '../config/schema.js';
import { Metrics } from '../metrics/metrics.js';
import type { PlannedItem } from './plan.js';
import { WarmingEngine, type EntryStatus } from './warming-engine.js';
import type { WarmScope } from './line-format.js';

export interface WarmSummary {
  warmed: number;
  skippedFresh: number;
  failed: number;
  /** Upstream requests made (attempts, retries included). */
  requests: number;
  ms: number;
}

export interface ItemResult {
  command: string;
  source: string;
  /** warmed | fresh | failed; with --dry-run what a run would find: missing | expiring | fresh. */
  status: 'warmed' | 'failed' | EntryStatus;
  /** Cache entries the command read. */
  entries: number;
  /** Entries refreshed (or, with --dry-run, that would be). */
  refreshed: number;
  ms: number;
  weight?: number;
  runs?: number;
  error?: string;
}

export interface RoundOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** In-flight commands stop when this aborts. */
  signal: AbortSignal;
  warn(message: string): void;
  /** Entries expiring within this are refreshed, ms. */
  aheadMs: number;
  /** Probe only: report what a run would do, fetch nothing. */
  dryRun?: boolean;
  /** Show a progress bar on this stream. */
  progress?: NodeJS.WritableStream;
  /** Called with each line's result as it finishes. */
  onResult?(result: ItemResult): void;
  /**
   * `--profile`, `--region`, `--endpoint-url` given to `cache warm` itself: each line that does
   * not set one gets it, as if typed on that line (the environment and config apply anyway).
   */
  scope?: WarmScope;
}


/**
 * Command lines running at once. The lanes' limits bound the requests; more lines in flight would
 * only wait in the lanes' queues while holding their half-read pages in memory.
 */
const LINES_IN_FLIGHT = 4;

function discardingIO(env: NodeJS.ProcessEnv, cwd: string): IO {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdin: Readable.from([]), stdout: sink(), stderr: sink(), env, cwd, stdoutIsTTY: false, stderrIsTTY: false };
}

/** The round's scheduler, with every job forced down to priority 'warming'. */
function warmingScheduler(s: SchedulerHandle): SchedulerHandle {
  return {
    schedule: (lane, job, opts) => s.schedule(lane, job, { ...opts, priority: 'warming' }),
    stats: () => s.stats(),
    close: () => s.close(),
  };
}

export async function warmRound(items: readonly PlannedItem[], opts: RoundOptions): Promise<{ summary: WarmSummary; results: ItemResult[] }> {
  const started = performance.now();
  const io = discardingIO(opts.env, opts.cwd);
  const globals = resolveGlobals({ progress: false }, opts.config, io);
  const base = createServices(opts.config, globals, opts.warn);
  let scheduler: Promise<SchedulerHandle> | undefined;
  const metrics = new Metrics();
  const unsubscribe = metrics.subscribe();
  const bar = opts.progress ? await progressBar(opts.progress, items.length) : undefined;
  const results: ItemResult[] = new Array(items.length);
  try {
    let next = 0;
    const worker = async () => {
      while (next < items.length && !opts.signal.aborted) {
        const i = next++;
        const services: Services = {
          engine: base.engine,
          scheduler: () => (scheduler ??= base.scheduler().then(warmingScheduler)),
          onClose: base.onClose,
          close: async () => undefined,
        };
        results[i] = await warmLine(items[i], services, io, opts);
        opts.onResult?.(results[i]);
        bar?.increment(1, { command: items[i].line.slice(0, 40) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(LINES_IN_FLIGHT, items.length) }, worker));
  } finally {
    bar?.stop();
    unsubscribe();
    await base.close();
  }
  const done = results.filter(Boolean);
  const summary: WarmSummary = {
    warmed: done.filter((r) => r.status === 'warmed' || (opts.dryRun && r.refreshed > 0)).length,
    skippedFresh: done.filter((r) => r.status === 'fresh').length,
    failed: done.filter((r) => r.status === 'failed').length,
    requests: metrics.snapshot().requests.total,
    ms: Math.round(performance.now() - started),
  };
  return { summary, results: done };
}

async function warmLine(item: PlannedItem, base: Services, io: IO, opts: RoundOptions): Promise<ItemResult> {
  const t0 = performance.now();
  let engine: WarmingEngine | undefined;
  const services: Services = { ...base, engine: async () => (engine ??= new WarmingEngine(await base.engine(), { aheadMs: opts.aheadMs, probe: !!opts.dryRun })) };
  const { def, raw, opts: cmdOpts, args } = item.parsed;
  const warn = (m: string) => opts.warn(`warm: ${item.line}: ${m}`);
  const result = (status: ItemResult['status'], error?: string): ItemResult => {
    const seen = engine?.seen ?? [];
    const r: ItemResult = { command: item.line, source: item.source, status, entries: seen.length, refreshed: seen.filter((s) => s.status !== 'fresh').length, ms: Math.round(performance.now() - t0) };
    if (item.weight !== undefined) Object.assign(r, { weight: item.weight, runs: item.runs });
    if (error !== undefined) r.error = error;
    return r;
  };
  try {
    const lineFlags = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
    const globals = resolveGlobals({ ...opts.scope, ...lineFlags, progress: false }, opts.config, io);
    const ctx: CommandContext = {
      args,
      opts: cmdOpts,
      globals,
      io,
      signal: opts.signal,
      config: opts.config,
      services,
      warn,
      reportError(err) {
        throw err;
      },
      // a warm read has no output to keep whole: any failure ends it
      failAtEnd(err) {
        throw err;
      },
    };
    for await (const _ of await def.run(ctx)) {
      if (opts.signal.aborted) break;
    }
    opts.signal.throwIfAborted();
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    opts.warn(`warm: \`${item.line}\` failed: ${message}`);
    return result('failed', message);
  }
  const seen = engine?.seen ?? [];
  if (opts.dryRun) {
    const worst: EntryStatus = seen.some((s) => s.status === 'missing') ? 'missing' : seen.some((s) => s.status === 'expiring') ? 'expiring' : 'fresh';
    return result(worst);
  }
  return result(seen.some((s) => s.status !== 'fresh') ? 'warmed' : 'fresh');
}

async function progressBar(stream: NodeJS.WritableStream, total: number) {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar({ stream, format: 'warming {bar} {value}/{total} | {command}', hideCursor: true, fps: 5 }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { command: '' });
  return bar;
}
