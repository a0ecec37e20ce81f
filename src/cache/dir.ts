// The one warning for a cache directory strata cannot write. The engine finds it at its first
// lookup, the usage log at the end of the run; both give this same text, so the CLI's
// once-per-message warn prints it once per run, with its hint, whichever finds it first.

export function cacheDirUnusable(dir: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return `cache directory ${dir} is not writable (${code}); nothing is cached or logged there — set STRATA_CACHE_DIR to a writable directory`;
}
