// Typed errors. Library code throws StrataError with a stable code, the exit code CLI.md gives
// for its kind, and a hint naming what to fix; only src/cli renders them (one line, no stack).

export const EXIT = { ok: 0, runtime: 1, usage: 2, interrupted: 130 } as const;

export type ErrorKind = 'usage' | 'runtime' | 'interrupted';

/** Why main.ts aborted a run: Ctrl-C, SIGTERM, or stdout's reader went away (`| head`). */
export const INTERRUPTED = 'interrupted';
export const TERMINATED = 'terminated';
export const BROKEN_PIPE = 'broken pipe';

/** Why an aborted signal stopped a run: main.ts's reason, or undefined for any other. */
export function stopReason(signal: AbortSignal): string | undefined {
  const reason = signal.reason as Error | string | undefined;
  return typeof reason === 'string' ? reason : reason?.message;
}

/**
 * The exit code of a run its signal stopped: a reader that went away cut the output short (1, an
 * I/O error); SIGTERM is a normal end (0) when the command wound down by itself; else 130.
 */
export function stoppedExit(signal: AbortSignal, woundDown: boolean): number {
  const why = stopReason(signal);
  if (why === BROKEN_PIPE) return EXIT.runtime;
  return why === TERMINATED && woundDown ? EXIT.ok : EXIT.interrupted;
}

export class StrataError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly kind: ErrorKind;

  constructor(code: string, message: string, opts: { hint?: string; kind?: ErrorKind; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StrataError';
    this.code = code;
    this.hint = opts.hint;
    this.kind = opts.kind ?? 'runtime';
  }

  get exitCode(): number {
    return EXIT[this.kind];
  }
}

/** A mistake in what the user typed: exit code 2. */
export function usageError(code: string, message: string, hint?: string): StrataError {
  return new StrataError(code, message, { hint, kind: 'usage' });
}

/** Something failed while running: exit code 1. */
export function runtimeError(code: string, message: string, hint?: string, cause?: unknown): StrataError {
  return new StrataError(code, message, { hint, kind: 'runtime', cause });
}
