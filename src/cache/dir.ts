// The one warning for a cache directory strata cannot write. The engine finds it at its first
// lookup, the usage log at the end of the run; both give this same text, so the CLI's
// once-per-message warn prints it once per run, with its hint, whichever finds it first. The
// reason is said in words, not by errno: one obstacle gives different codes to different calls
// (a file in the path is ENOTDIR to an open and EEXIST to mkdir -p), and would print twice.

const REASONS: Record<string, string> = {
  ENOTDIR: 'a file is in its path',
  EEXIST: 'a file is in its path',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

export function cacheDirUnusable(dir: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return `cache directory ${dir} is not writable (${REASONS[code] ?? code}); nothing is cached or logged there — set STRATA_CACHE_DIR to a writable directory`;
}
