// The usage log: one NDJSON line per command run — what ran, when, how long, which tier
// answered, and the upstream latencies it saw — in <cacheDir>/usage.ndjson. `cache warm` reads
// it to predict what to warm; `perf report` reads it for percentiles over a time window.
//
// Appends are single small write(2) calls on an O_APPEND descriptor, so concurrent strata
// processes interleave whole lines, and synchronous, so a line is on disk before the process
// exits. The log is bounded: past `maxBytes` it is renamed to usage.1.ndjson (replacing the
// previous generation) and a new one starts, so at most 2 × maxBytes are kept. A torn or
// foreign line is skipped by the reader. Arguments are scrubbed of credentials first.

import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync, constants as fsc } from 'node:fs';
import { join } from 'node:path';
import diagnostics_channel from 'node:diagnostics_channel';
import { systemClock, type Clock } from '../util/clock.js';
import { maskCredentials } from '../util/urls.js';
import { commandChannel, type CommandEvent } from './channels.js';
import type { EncodedHistogram } from './histogram.js';
import { cacheTotals, type Metrics } from './metrics.js';

export interface UsageEvent {
  /** Epoch ms at the end of the command. */
  t: number;
  command: string;
  argv: string[];
  ms: number;
  exitCode: number;
  answeredBy?: CommandEvent['answeredBy'];
  /** Upstream requests made, per operation, with their latency histogram. */
  operations?: Record<string, { n: number; errors: number; h: EncodedHistogram }>;
  /** Cache lookups and how many any tier answered. */
  cache?: { lookups: number; hits: number };
}

export const USAGE_FILE = 'usage.ndjson';
export const USAGE_FILE_OLD = 'usage.1.ndjson';
/** 1 MiB holds roughly 5,000 commands: weeks of interactive use, enough to rank what to warm. */
const USAGE_MAX_BYTES = 1024 * 1024;
/** Lines above this are written without histograms, to keep every append one small write. */
const MAX_LINE = 3500;

const SECRET_FLAG = /secret|password|passwd|token|credential|session|api-?key/i;
const SAFE_FLAGS = new Set(['--starting-token']);

/** Removes credentials: URL userinfo, and the values of flags that name a secret. */
export function scrubArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = maskCredentials(argv[i]);
    const eq = /^(--?[\w-]+)=(.*)$/.exec(a);
    if (eq && SECRET_FLAG.test(eq[1]) && !SAFE_FLAGS.has(eq[1])) a = `${eq[1]}=***`;
    out.push(a);
    if (!eq && a.startsWith('-') && SECRET_FLAG.test(a) && !SAFE_FLAGS.has(a) && i + 1 < argv.length) {
      out.push('***');
      i++;
    }
  }
  return out;
}

export function recordUsage(cacheDir: string, event: UsageEvent, maxBytes = USAGE_MAX_BYTES): void {
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const clean: UsageEvent = { ...event, argv: scrubArgv(event.argv) };
  let line = JSON.stringify(clean) + '\n';
  if (Buffer.byteLength(line) > MAX_LINE) {
    const { operations: _dropped, ...rest } = clean;
    line = JSON.stringify(rest).slice(0, MAX_LINE) + '\n';
  }
  const path = join(cacheDir, USAGE_FILE);
  let fd = openSync(path, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT, 0o600);
  try {
    if (fstatSync(fd).size + Buffer.byteLength(line) > maxBytes) {
      closeSync(fd);
      renameSync(path, join(cacheDir, USAGE_FILE_OLD));
      fd = openSync(path, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT, 0o600);
    }
    writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
}

async function readLines(path: string): Promise<string[]> {
  try {
    // loaded here, not at start-up: writing the log must cost a command nothing it does not use
    const { readFile } = await import('node:fs/promises');
    return (await readFile(path, 'utf8')).split('\n');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Events oldest first, optionally only those at or after `since` (epoch ms). */
export async function readUsage(cacheDir: string, opts: { since?: number } = {}): Promise<UsageEvent[]> {
  const since = opts.since ?? -Infinity;
  const lines = [...(await readLines(join(cacheDir, USAGE_FILE_OLD))), ...(await readLines(join(cacheDir, USAGE_FILE)))];
  const out: UsageEvent[] = [];
  for (const line of lines) {
    if (!line) continue;
    let e: UsageEvent;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof e?.t === 'number' && typeof e.command === 'string' && typeof e.ms === 'number' && e.t >= since) out.push(e);
  }
  return out.sort((a, b) => a.t - b.t);
}

/** A usage event from a finished command and, when given, what the metrics saw during it. */
function usageEventOf(e: CommandEvent, now: number, metrics?: Metrics): UsageEvent {
  const ev: UsageEvent = { t: now, command: e.command, argv: e.argv, ms: Number(e.ms.toFixed(3)), exitCode: e.exitCode };
  if (e.answeredBy) ev.answeredBy = e.answeredBy;
  if (metrics) {
    const s = metrics.snapshot();
    const ops = Object.entries(s.operations);
    if (ops.length) ev.operations = Object.fromEntries(ops.map(([k, o]) => [k, { n: o.total, errors: o.errors, h: o.histogram }]));
    const totals = cacheTotals(s.cache);
    if (totals) ev.cache = totals;
  }
  return ev;
}

/**
 * Writes a usage line for every command published on the command channel. Errors while
 * writing are passed to `onError` (the CLI warns) and never fail the command.
 */
export function subscribeUsageLog(
  cacheDir: string,
  opts: { metrics?: Metrics; clock?: Clock; onError?: (e: unknown) => void } = {},
): () => void {
  const clock = opts.clock ?? systemClock;
  const listener = (m: unknown) => {
    try {
      recordUsage(cacheDir, usageEventOf(m as CommandEvent, clock.now(), opts.metrics));
    } catch (e) {
      opts.onError?.(e);
    }
  };
  diagnostics_channel.subscribe(commandChannel.name, listener);
  return () => diagnostics_channel.unsubscribe(commandChannel.name, listener);
}
