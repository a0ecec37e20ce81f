// Running one command once its words are parsed: config, context, the command's records through
// the renderer, metrics and the usage log, and the exit code (CLI.md): 0 ok, 1 runtime error or
// partial failure with --keep-going, 2 usage error, 130 interrupted (0 after a clean SIGTERM).

import { EXIT, StrataError, stoppedExit } from '../errors.js';
import type { CommandContext, CommandDef, IO } from './types.js';
import { resolveGlobals } from './resolve-globals.js';
import type { Parsed } from './program.js';
import { loadConfig } from '../config/load.js';
import { cacheDirUnusable } from '../cache/dir.js';
import { createServices } from './services.js';
import { Sink } from '../output/sink.js';
import { visible, visibleJson } from '../output/visible.js';
import { loadRenderer, renderText } from '../output/renderers.js';
import { publishCommand, type CommandEvent } from '../metrics/channels.js';
import { Metrics, type MetricsSnapshot } from '../metrics/metrics.js';
import { subscribeUsageLog } from '../metrics/usage-log.js';
import { systemClock } from '../util/clock.js';

const monotonicMs = () => systemClock.monotonic();

export async function execute(def: CommandDef, parsed: Parsed, io: IO, signal: AbortSignal, argv: string[]): Promise<number> {
  const started = monotonicMs();
  let exitCode: number = EXIT.ok;
  const { config } = await loadConfig({ file: parsed.raw.config, env: io.env, cwd: io.cwd });
  const globals = resolveGlobals(parsed.raw, config, io, { endless: def.endless });
  const warned = new Set<string>();
  const warn = (m: string) => {
    if (globals.quiet || warned.has(m)) return;
    warned.add(m);
    io.stderr.write(`strata: warning: ${visible(m)}\n`);
  };
  let failures = 0;
  let failAtEnd: { err: unknown } | undefined;
  const metrics = new Metrics();
  const unsubscribe = [metrics.subscribe()];
  if (!def.hidden) {
    unsubscribe.push(subscribeUsageLog(config.cache.dir, { metrics, onError: (e) => warn(cacheDirUnusable(config.cache.dir, e)) }));
  }
  const services = createServices(config, globals, warn);
  const ctx: CommandContext = {
    args: parsed.args,
    opts: parsed.opts,
    globals,
    flags: parsed.raw,
    io,
    signal,
    config,
    services,
    warn,
    reportError(err, item) {
      if (!globals.keepGoing && !def.tolerant) throw err;
      if (globals.keepGoing) failures++;
      const e = err as StrataError;
      const record = { error: { code: e?.code ?? 'ERROR', message: e?.message ?? String(err), ...(item ?? {}) } };
      io.stderr.write(visibleJson(JSON.stringify(record)) + '\n');
    },
    failAtEnd(err) {
      failAtEnd ??= { err };
    },
  };
  try {
    const records = await def.run(ctx);
    const raw = typeof def.raw === 'function' ? def.raw(parsed.opts) : def.raw;
    const renderer = raw ? renderText : await loadRenderer(globals.output);
    const sink = new Sink(io.stdout);
    try {
      await renderer(records, sink, { columns: io.columns, tty: io.stdoutIsTTY, preferred: def.columns });
    } finally {
      // records produced before a failure still reach the reader
      await sink.flush();
    }
    if (failAtEnd && !signal.aborted) throw failAtEnd.err;
    // stopped cleanly: by SIGTERM that is a normal end (0), by Ctrl-C an interruption (130)
    if (signal.aborted) exitCode = stoppedExit(signal, true);
    else if (failures > 0) exitCode = EXIT.runtime;
    return exitCode;
  } catch (err) {
    exitCode = signal.aborted ? stoppedExit(signal, false) : err instanceof StrataError ? err.exitCode : EXIT.runtime;
    throw err;
  } finally {
    await services.close();
    const ms = monotonicMs() - started;
    const seen = metrics.snapshot();
    publishCommand({ command: def.name, argv, ms, exitCode, answeredBy: answeredBy(seen) });
    for (const stop of unsubscribe) stop();
    if (globals.stats) {
      const { renderStats } = await import('../metrics/stats-render.js');
      io.stderr.write(renderStats(seen, ms));
    }
  }
}

/** Which tier answered this run's reads: upstream when any request went out. */
function answeredBy(s: MetricsSnapshot): CommandEvent['answeredBy'] {
  const upstream = s.requests.total > 0;
  const tiers = (['memory', 'disk', 'redis'] as const).filter((t) => (s.cache[t]?.hit ?? 0) > 0);
  if (upstream) return tiers.length ? 'mixed' : 'upstream';
  return tiers.length === 1 ? tiers[0] : tiers.length > 1 ? 'mixed' : undefined;
}
