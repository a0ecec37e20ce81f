// `perf dashboard`: a live view of a running strata process, drawn with ink. Only the command's
// run path imports this module, and ink and React (~300 ms to load) load only inside it.
//
// ink decides once, when it is first imported, whether it runs in CI (the `CI` variable): there it
// draws nothing until the app exits. The dashboard runs only on a terminal and never exits by
// itself, so that mode would show an empty screen; ink is imported with `CI` hidden instead.

import type { Readable, Writable } from 'node:stream';
import type { LiveSnapshot } from './live.js';
import type { UsageEvent } from './usage-log.js';

export interface DashboardSource {
  /** Newest snapshot of the watched process, if any is live. */
  live(): Promise<LiveSnapshot | undefined>;
  usage(): Promise<UsageEvent[]>;
}

export interface DashboardIo {
  stdin: Readable;
  stdout: Writable;
  signal?: AbortSignal;
  intervalMs?: number;
}

const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

async function loadScreen(): Promise<typeof import('./dashboard-screen.js')> {
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    return await import('./dashboard-screen.js');
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

/** Renders until q / Ctrl-C (or `signal`); resolves when the view has been torn down. */
export async function runDashboard(source: DashboardSource, io: DashboardIo): Promise<void> {
  const { renderDashboard } = await loadScreen();
  await renderDashboard(source, io);
}
