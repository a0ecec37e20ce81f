// Mount lifecycle helpers. Before mounting: the mountpoint must be a directory; a stale mount
// left by a crashed run (stat fails with ENOTCONN, "transport endpoint is not connected") is
// detached with `fusermount -u -z`, else `umount -l`. Before unmounting: processes that hold files
// or their working directory under the mount are found from /proc, so a busy mount is reported by
// pid and name instead of failing half-way. Everything here is async: the process may be serving
// the very mount it inspects.

import { spawn } from 'node:child_process';
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runtimeError, usageError } from '../errors.js';

export function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ code: 127, stderr: String(err.message) }));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: stderr.trim() }));
  });
}

/** Detaches whatever is mounted at `mnt` (lazily: processes still inside keep their files). */
export async function detach(mnt: string): Promise<boolean> {
  if ((await run('fusermount', ['-u', '-z', mnt])).code === 0) return true;
  return (await run('umount', ['-l', mnt])).code === 0;
}

/** Validates the mountpoint; cleans a stale mount. Returns true when one was cleaned. */
export async function prepareMountpoint(mnt: string): Promise<boolean> {
  let cleaned = false;
  let st;
  try {
    st = await stat(mnt);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTCONN' || code === 'ECONNABORTED') {
      if (!(await detach(mnt))) {
        throw runtimeError('MOUNT_STALE', `${mnt} is a stale mount from a crashed run and could not be detached`, `run: fusermount -u -z ${mnt}`);
      }
      cleaned = true;
      st = await stat(mnt);
    } else if (code === 'ENOENT') {
      throw usageError('MOUNTPOINT_MISSING', `mountpoint ${mnt} does not exist`, `create it first: mkdir -p ${mnt}`);
    } else {
      throw runtimeError('MOUNTPOINT', `cannot use mountpoint ${mnt}: ${(err as Error).message}`, 'check the path and its permissions');
    }
  }
  if (!st.isDirectory()) throw usageError('MOUNTPOINT_NOT_DIR', `mountpoint ${mnt} is not a directory`, 'give an empty directory');
  const parent = await stat(dirname(mnt)).catch(() => undefined);
  if (parent && parent.dev !== st.dev) {
    throw runtimeError('MOUNT_IN_USE', `${mnt} is already a mount point`, `unmount it first: fusermount -u ${mnt}`);
  }
  return cleaned;
}

export interface BusyProcess {
  pid: number;
  command: string;
}

/** Processes (other than this one) with an open file or working directory under `mnt`. */
export async function busyProcesses(mnt: string): Promise<BusyProcess[]> {
  const inside = (p: string) => p === mnt || p.startsWith(`${mnt}/`);
  const found: BusyProcess[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const base = join('/proc', name);
    let busy = inside(await readlink(join(base, 'cwd')).catch(() => ''));
    if (!busy) {
      for (const fd of await readdir(join(base, 'fd')).catch(() => [] as string[])) {
        if (inside(await readlink(join(base, 'fd', fd)).catch(() => ''))) {
          busy = true;
          break;
        }
      }
    }
    if (busy) found.push({ pid, command: (await readFile(join(base, 'comm'), 'utf8').catch(() => '?')).trim() });
  }
  return found;
}
