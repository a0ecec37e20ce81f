// Whether a process still exists (signal 0 probes without delivering anything). EPERM means it
// exists but belongs to someone else: alive, for a lock or a live file.

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
