// The one sleep: a global setTimeout looked up at call time (so fake timers drive it) that leaves
// neither a timer nor an abort listener behind.

export interface SleepOptions {
  /** Resolve instead of rejecting when the signal aborts (for loops that check the signal themselves). */
  resolveOnAbort?: boolean;
}

/**
 * Resolves after `ms`. If `signal` aborts first (or already has), rejects at once with the
 * signal's reason, or resolves at once with `resolveOnAbort`.
 */
export function sleep(ms: number, signal?: AbortSignal, opts: SleepOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): void => (opts.resolveOnAbort ? resolve() : reject(signal?.reason));
    if (signal?.aborted) {
      aborted();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      aborted();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
