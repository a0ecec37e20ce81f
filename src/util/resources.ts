// The resource registry of a long-running process (the warm daemon, `mount`, `tasks watch`,
// `perf dashboard`): every open handle — SDK clients, Redis, timers, watchers, child processes,
// mounts — is registered with the function that releases it, and every piece of in-flight work
// is tracked. Shutdown is one routine:
//
//   stop      no new work is accepted (`track` rejects, `stopping` is true)
//   drain     in-flight work may finish until the deadline; then `workSignal` aborts it and it
//             gets a short grace to unwind
//   release   handles close in reverse order of registration (last opened, first closed), each
//             bounded by what is left of the deadline; a failing close is reported, the rest go on
//
// Afterwards nothing of ours keeps the event loop alive, so the process ends by itself. Exit
// codes follow systemd's and the shell's habits: 0 after SIGTERM (a clean, requested stop), 130
// after SIGINT (Ctrl-C).

import { BROKEN_PIPE, runtimeError, stopReason, TERMINATED } from '../errors.js';

type StopSignal = 'SIGINT' | 'SIGTERM';

export interface ShutdownReport {
  signal: StopSignal;
  exitCode: 0 | 130;
  /** Work still running at the deadline, aborted through `workSignal`. */
  aborted: string[];
  /** Handles closed, in the order they were closed. */
  released: string[];
  /** Handles whose close threw or did not finish by the deadline. */
  failed: { name: string; message: string }[];
}

interface ShutdownOptions {
  signal: StopSignal;
  /** Time allowed for draining and releasing, ms. Minimum: 0. @default 10000 */
  deadlineMs?: number;
  /** Time aborted work gets to unwind after the deadline, ms. @default 1000 */
  graceMs?: number;
}

interface Handle {
  name: string;
  close: () => unknown;
}

/** Default time to drain in-flight work: long enough for a page or a part, short enough for systemd's 90 s stop timeout. */
const DEFAULT_DEADLINE_MS = 10_000;
const DEFAULT_GRACE_MS = 1_000;

export class Resources {
  readonly #handles = new Map<number, Handle>();
  readonly #work = new Map<number, { name: string; done: Promise<unknown> }>();
  readonly #workController = new AbortController();
  #nextId = 0;
  #stopping = false;
  #shutdown: Promise<ShutdownReport> | undefined;

  /** True once shutdown has begun: start nothing new. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Aborted when in-flight work has run past the shutdown deadline; pass it to the work. */
  get workSignal(): AbortSignal {
    return this.#workController.signal;
  }

  /** Registers a handle and how to release it; returns an `unregister` for handles closed early by their owner. */
  register(name: string, close: () => unknown): () => void {
    if (this.#stopping) {
      // Opened while shutting down: release at once rather than leak it.
      void Promise.resolve().then(close).catch(() => undefined);
      return () => undefined;
    }
    const id = this.#nextId++;
    this.#handles.set(id, { name, close });
    return () => void this.#handles.delete(id);
  }

  /** Tracks a piece of in-flight work until it settles; refused once shutdown has begun. */
  track<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (this.#stopping) return Promise.reject(runtimeError('SHUTTING_DOWN', `not starting ${name}: the process is shutting down`, 'start it again once the process has stopped'));
    const id = this.#nextId++;
    const done = work();
    this.#work.set(id, { name, done });
    const forget = () => void this.#work.delete(id);
    done.then(forget, forget);
    return done;
  }

  /** Names of the handles still registered and the work still running (empty after a shutdown). */
  open(): string[] {
    return [...[...this.#handles.values()].map((h) => h.name), ...[...this.#work.values()].map((w) => w.name)];
  }

  /** Runs the shutdown routine once; later calls get the same report. */
  shutdown(opts: ShutdownOptions): Promise<ShutdownReport> {
    this.#shutdown ??= this.#run(opts);
    return this.#shutdown;
  }

  async #run(opts: ShutdownOptions): Promise<ShutdownReport> {
    this.#stopping = true;
    const deadline = Date.now() + (opts.deadlineMs ?? DEFAULT_DEADLINE_MS);
    const left = () => Math.max(0, deadline - Date.now());
    const report: ShutdownReport = { signal: opts.signal, exitCode: exitCodeFor(opts.signal), aborted: [], released: [], failed: [] };

    const running = [...this.#work.values()];
    if (!(await settlesWithin(Promise.allSettled(running.map((w) => w.done)), left()))) {
      report.aborted = [...this.#work.values()].map((w) => w.name);
      this.#workController.abort(runtimeError('SHUTDOWN_DEADLINE', `aborted: still running ${opts.deadlineMs ?? DEFAULT_DEADLINE_MS} ms after ${opts.signal}`));
      await settlesWithin(Promise.allSettled([...this.#work.values()].map((w) => w.done)), opts.graceMs ?? DEFAULT_GRACE_MS);
    }

    const handles = [...this.#handles.values()].reverse();
    this.#handles.clear();
    for (const h of handles) {
      try {
        const closed = Promise.resolve().then(h.close);
        if (await settlesWithin(closed, Math.max(left(), 50))) {
          await closed;
          report.released.push(h.name);
        } else {
          closed.catch(() => undefined);
          report.failed.push({ name: h.name, message: 'did not close before the deadline' });
        }
      } catch (err) {
        report.failed.push({ name: h.name, message: (err as Error)?.message ?? String(err) });
      }
    }
    return report;
  }
}

function exitCodeFor(signal: StopSignal): 0 | 130 {
  return signal === 'SIGTERM' ? 0 : 130;
}

/**
 * Which signal a command's `ctx.signal` stands for (src/main.ts's reasons, errors.ts): SIGTERM,
 * or stdout's reader gone, which stops the run as SIGTERM does; anything else is SIGINT.
 */
export function stopSignalOf(signal: AbortSignal): StopSignal {
  const why = stopReason(signal);
  return why === TERMINATED || why === BROKEN_PIPE ? 'SIGTERM' : 'SIGINT';
}

/** Resolves true when `p` settles within `ms`, false otherwise; leaves no timer behind. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });
}
