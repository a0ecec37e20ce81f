// `strata perf report` and `strata perf dashboard`: recorded operation latencies from the usage
// log, and a live view of running strata processes. ink/React load only inside dashboard's run.

import type { CommandDef } from '../cli/types.js';

const HOUR = 3_600_000;

const perfReportCmd: CommandDef = {
  name: 'perf report',
  summary: 'Latency percentiles, request counts and cache hit ratios per operation over a time window.',
  description:
    'Reads the usage log in the cache directory. Rows named cmd:<command> are whole commands; the others are upstream ' +
    'operations. --regressions lists only operations whose latency in the window is significantly worse than before it ' +
    '(bootstrap 95% interval of the median ratio, past --threshold).',
  options: [
    { flags: '--since <duration>', summary: 'window to report, back from now (default 1h)', type: 'duration' },
    { flags: '--regressions', summary: 'list operations that got slower in the window than in the older history' },
    { flags: '--threshold <fraction>', summary: 'noise threshold for --regressions (default 0.05)', type: 'fraction' },
  ],
  output:
    'operation, count, errors, p50Ms, p95Ms, p99Ms, maxMs, hitRatio; with --regressions: operation, recentP50Ms, historyP50Ms, ratio, ciLow, ciHigh, recentCount, historyCount',
  examples: [{ summary: 'the last day, per operation', argv: ['perf', 'report', '--since', '1d'] }],
  async *run(ctx) {
    const { readUsage } = await import('../metrics/usage-log.js');
    const { perfReport, findRegressions } = await import('../metrics/report.js');
    const since = Date.now() - (ctx.opts.since ?? HOUR);
    if (ctx.opts.regressions) {
      yield* findRegressions(await readUsage(ctx.config.cache.dir), since, { threshold: ctx.opts.threshold });
      return;
    }
    yield* perfReport(await readUsage(ctx.config.cache.dir, { since }));
  },
};

const perfDashboard: CommandDef = {
  name: 'perf dashboard',
  summary: 'Live terminal view of a running strata process (mount, warming) and of the usage log; q quits.',
  description:
    'Long-running strata processes publish their metrics to <cache dir>/live/<pid>.json every second; the dashboard ' +
    'shows the newest (or --pid): requests/s, in flight, hit ratio, latency percentiles, queue depths, refreshed in place.',
  options: [
    { flags: '--pid <pid>', summary: 'watch this process (default: the most recently updated)', type: 'number' },
    { flags: '--interval <duration>', summary: 'refresh period (default 1s)', type: 'duration' },
  ],
  output: 'nothing (draws on the terminal)',
  examples: [
    { summary: 'watch the mount running in another terminal', argv: ['perf', 'dashboard'], interactive: true },
    { summary: 'watch one process, refreshing twice a second', argv: ['perf', 'dashboard', '--pid', '4242', '--interval', '500ms'], interactive: true },
  ],
  async *run(ctx) {
    const { usageError } = await import('../errors.js');
    if (!ctx.io.stdoutIsTTY || !(ctx.io.stdin as { isTTY?: boolean }).isTTY) {
      throw usageError('PERF_NO_TTY', 'perf dashboard needs a terminal on stdin and stdout.', 'Run it in a terminal; for data use `strata perf report`.');
    }
    const { readLive } = await import('../metrics/live.js');
    const { readUsage } = await import('../metrics/usage-log.js');
    const { runDashboard } = await import('../metrics/dashboard.js');
    const dir = ctx.config.cache.dir;
    await runDashboard(
      {
        live: async () => (await readLive(dir, { pid: ctx.opts.pid }))[0],
        usage: () => readUsage(dir, { since: Date.now() - HOUR }),
      },
      { stdin: ctx.io.stdin, stdout: ctx.io.stdout, signal: ctx.signal, intervalMs: ctx.opts.interval },
    );
  },
};

export const perfCommands: CommandDef[] = [perfReportCmd, perfDashboard];
