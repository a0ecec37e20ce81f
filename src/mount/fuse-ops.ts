// Binds S3Filesystem to fuse-native's callback table: each call is timed into the stats and any
// error becomes a negative errno (FsError carries its own; S3 404 → ENOENT, 403 → EACCES, anything
// else → EIO). A read served from memory answers synchronously, without a promise.

import type { Clock } from '../util/clock.js';
import { ERRNO } from './fuse-loader.js';
import { FsError, type S3Filesystem } from './filesystem.js';
import type { MountStats } from './stats.js';

type Cb = (...args: any[]) => void;

export function errnoOf(err: unknown): number {
  if (err instanceof FsError) return err.errno;
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (status === 404) return ERRNO.ENOENT;
  if (status === 403) return ERRNO.EACCES;
  return ERRNO.EIO;
}

export function fuseOps(fs: S3Filesystem, stats: MountStats, clock: Clock, warn: (m: string) => void): Record<string, Cb> {
  /** An unexpected failure (EIO) is reported once per distinct message, so the user sees why. */
  const seen = new Set<string>();
  const errno = (name: string, err: unknown, path?: unknown): number => {
    const n = errnoOf(err);
    const text = `${name} ${typeof path === 'string' ? path : ''}: ${(err as Error)?.message ?? err}`;
    if (n === ERRNO.EIO && !(err instanceof FsError) && !seen.has(text) && seen.size < 100) {
      seen.add(text);
      warn(text);
    }
    return n;
  };

  /** Runs `fn`, answers `cb(0, value)` or `cb(-errno)`. */
  const op = <A extends unknown[]>(name: string, fn: (...args: A) => unknown) =>
    (...args: [...A, Cb]) => {
      const cb = args.pop() as Cb;
      const t0 = clock.monotonic();
      Promise.resolve()
        .then(() => fn(...(args as unknown as A)))
        .then(
          (value) => {
            stats.op(name, clock.monotonic() - t0, true);
            if (value === undefined) cb(0);
            else cb(0, value);
          },
          (err) => {
            const n = errno(name, err, args[0]);
            stats.op(name, clock.monotonic() - t0, n === ERRNO.ENOENT);
            cb(-n);
          },
        );
    };

  /** read/write answer with a byte count (or a negative errno) as their only argument. */
  const io = (name: string, fn: (fd: number, buf: Buffer, len: number, pos: number) => number | Promise<number>) =>
    (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb) => {
      const t0 = clock.monotonic();
      let result: number | Promise<number>;
      try {
        result = fn(fd, buf, len, pos);
      } catch (err) {
        stats.op(name, clock.monotonic() - t0, false);
        return cb(-errno(name, err, _path));
      }
      if (typeof result === 'number') {
        stats.op(name, clock.monotonic() - t0, true);
        return cb(result);
      }
      result.then(
        (n) => {
          stats.op(name, clock.monotonic() - t0, true);
          cb(n);
        },
        (err) => {
          stats.op(name, clock.monotonic() - t0, false);
          cb(-errno(name, err, _path));
        },
      );
    };

  return {
    getattr: op('getattr', (path: string) => fs.getattr(path)),
    fgetattr: op('getattr', (path: string) => fs.getattr(path)),
    readdir: op('readdir', (path: string) => fs.readdir(path)),
    open: op('open', (path: string, flags: number) => fs.open(path, flags)),
    create: op('create', (path: string) => fs.create(path)),
    read: io('read', (fd, buf, len, pos) => fs.read(fd, buf, len, pos)),
    // The kernel reuses `buf` once we answer: the bytes are copied before anything is queued.
    write: io('write', (fd, buf, len, pos) => fs.write(fd, Buffer.from(buf.subarray(0, len)), pos)),
    flush: op('flush', (_path: string, fd: number) => fs.sync(fd)),
    fsync: op('fsync', (_path: string, fd: number) => fs.sync(fd)),
    release: op('release', (_path: string, fd: number) => fs.release(fd)),
    truncate: op('truncate', (path: string, size: number) => fs.truncate(path, size)),
    ftruncate: op('truncate', (_path: string, fd: number, size: number) => fs.ftruncate(fd, size)),
    unlink: op('unlink', (path: string) => fs.unlink(path)),
    mkdir: op('mkdir', (path: string) => fs.mkdir(path)),
    rmdir: op('rmdir', (path: string) => fs.rmdir(path)),
    rename: op('rename', (from: string, to: string) => fs.rename(from, to)),
    statfs: op('statfs', () => fs.statfs()),
    // No extended attributes: ENOSYS makes the kernel stop asking (ls -l asks for every file).
    getxattr: (_p: string, _n: string, _pos: number, cb: Cb) => cb(-ERRNO.ENOSYS),
    listxattr: (_p: string, cb: Cb) => cb(-ERRNO.ENOSYS),
    // S3 keeps no times, modes or owners: accepting these keeps `touch` and `cp -p` working.
    utimens: op('utimens', () => undefined),
    chmod: op('chmod', () => undefined),
    chown: op('chown', () => undefined),
  };
}
