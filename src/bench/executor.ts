// What measures one run of a command. The runner only sees this interface (hyperfine's
// Executor/MockExecutor), so its statistics and scheduling are tested with scripted results
// and the real process executor is tested on its own against real child processes.

export interface CommandSpec {
  /** Program and arguments, spawned without a shell. */
  argv: string[];
  /** How the command is shown in records and reports. */
  display: string;
  /** File to connect to the command's stdin (default /dev/null). */
  stdinFile?: string;
  cwd?: string;
  /** Variables set for this command on top of the executor's environment. */
  env?: Record<string, string>;
}

export interface RunResult {
  wallMs: number;
  /** CPU time in user mode, ms; null when the executor cannot measure it. */
  userMs: number | null;
  sysMs: number | null;
  /** Peak resident set size, KiB (wait4's ru_maxrss); null when not measurable. */
  maxRssKb: number | null;
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  signal: string | null;
}

export interface Executor {
  /** Whether user/sys time and peak memory are measured (not null). */
  readonly measuresResources: boolean;
  /** Peak memory at or below this (KiB) is the measuring process's own size, not the command's. */
  readonly memoryFloorKb?: number;
  /** Runs the command once; rejects only when it cannot be started. */
  run(cmd: CommandSpec, signal?: AbortSignal): Promise<RunResult>;
  close(): Promise<void>;
}

/** Scripted results for tests: `script` decides each run's result from the command and its index. */
export class MockExecutor implements Executor {
  readonly measuresResources = true;
  readonly calls: string[] = [];
  readonly #script: (cmd: CommandSpec, index: number) => Partial<RunResult> & { wallMs: number };
  #count = new Map<string, number>();

  constructor(script: (cmd: CommandSpec, index: number) => Partial<RunResult> & { wallMs: number }) {
    this.#script = script;
  }

  async run(cmd: CommandSpec): Promise<RunResult> {
    const i = this.#count.get(cmd.display) ?? 0;
    this.#count.set(cmd.display, i + 1);
    this.calls.push(cmd.display);
    const r = this.#script(cmd, i);
    return { userMs: 0, sysMs: 0, maxRssKb: 0, exitCode: 0, signal: null, ...r };
  }

  async close(): Promise<void> {}
}
