// The ink view of `perf dashboard`, refreshed in place. Loaded only through ./dashboard.ts, which
// decides how ink is imported. Written with createElement so the module builds as plain TypeScript.

import { createElement as h, useEffect, useState } from 'react';
import { Box, Text, render, useApp, useInput } from 'ink';
import { dashboardView, type DashboardView } from './dashboard-model.js';
import { formatMs } from './stats-render.js';
import type { LiveSnapshot } from './live.js';
import type { UsageEvent } from './usage-log.js';

import type { DashboardIo, DashboardSource } from './dashboard.js';

const fmtMs = (x: number | null) => formatMs(x, '–'); // an en dash on the dashboard
const fmtPct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

function Row(props: { label: string; value: string }) {
  return h(Box, null, h(Box, { width: 16 }, h(Text, { dimColor: true }, props.label)), h(Text, { bold: true }, props.value));
}

function DashboardScreen({ view }: { view: DashboardView }) {
  return h(
    Box,
    { flexDirection: 'column', borderStyle: 'round', paddingX: 1 },
    h(Text, { color: 'cyan', bold: true }, `strata perf · ${view.title}${view.uptimeS === null ? '' : ` · up ${view.uptimeS}s`}`),
    h(Row, { label: 'requests/s', value: view.requestsPerS === null ? '–' : view.requestsPerS.toFixed(1) }),
    h(Row, { label: 'requests', value: String(view.totalRequests) }),
    h(Row, { label: 'in flight', value: view.inFlight === null ? '–' : String(view.inFlight) }),
    h(Row, { label: 'hit ratio', value: fmtPct(view.hitRatio) }),
    h(Row, { label: 'latency', value: `p50 ${fmtMs(view.p50Ms)} · p95 ${fmtMs(view.p95Ms)} · p99 ${fmtMs(view.p99Ms)}` }),
    h(Text, { dimColor: true }, 'queues'),
    ...(view.queues.length ? view.queues.map(([lane, depth]) => h(Row, { key: lane, label: `  ${lane}`, value: String(depth) })) : [h(Text, { key: 'no-queues' }, '  (none)')]),
    h(Text, { dimColor: true }, 'last hour (usage log)'),
    ...(view.recentCommands.length
      ? view.recentCommands.map(([c, n, p50]) => h(Row, { key: c, label: `  ${c}`, value: `${n} runs · p50 ${fmtMs(p50)}` }))
      : [h(Text, { key: 'no-commands' }, '  (no commands recorded)')]),
    h(Text, { dimColor: true }, 'q or Ctrl-C quits'),
  );
}

function Dashboard({ source, intervalMs }: { source: DashboardSource; intervalMs: number }) {
  const { exit } = useApp();
  const [state, setState] = useState<{ prev?: LiveSnapshot; cur?: LiveSnapshot; usage: UsageEvent[] }>({ usage: [] });
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) exit();
  });
  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      const [cur, usage] = await Promise.all([source.live(), source.usage()]);
      if (stopped) return;
      // An unchanged file (same process, same time) keeps the previous pair, so the rate is
      // computed across real updates only.
      setState((s) => (cur && s.cur && cur.pid === s.cur.pid && cur.at === s.cur.at ? { ...s, usage } : { prev: s.cur, cur, usage }));
    };
    void tick();
    const timer = setInterval(() => void tick(), intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [source, intervalMs]);
  return h(DashboardScreen, { view: dashboardView(state.prev, state.cur, state.usage) });
}

export async function renderDashboard(source: DashboardSource, io: DashboardIo): Promise<void> {
  const app = render(h(Dashboard, { source, intervalMs: io.intervalMs ?? 1000 }), {
    stdin: io.stdin as NodeJS.ReadStream,
    stdout: io.stdout as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const onAbort = () => app.unmount();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await app.waitUntilExit();
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
  }
}
