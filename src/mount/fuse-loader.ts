// Loads fuse-native on the one path that needs it. It is CJS: the class arrives as `default`.
// Its prebuilt addon links against Debian's libfuse2; when that library is missing, the dlopen
// error is turned into one message that says exactly what to install.

import { runtimeError } from '../errors.js';

export type FuseClass = typeof import('fuse-native').default;

export async function loadFuse(): Promise<FuseClass> {
  try {
    const mod: any = await import('fuse-native');
    return (mod.default ?? mod) as FuseClass;
  } catch (err) {
    const text = String((err as Error)?.message ?? err);
    if (/libfuse|fuse\.so/i.test(text)) {
      throw runtimeError('FUSE_MISSING', `cannot load FUSE: ${text}`, 'install the FUSE library: apt-get install libfuse2', err);
    }
    throw runtimeError('FUSE_LOAD', `cannot load fuse-native: ${text}`, 'reinstall strata (npm install) and check that /dev/fuse exists', err);
  }
}

/** Linux errno values handed back to FUSE (negated by the caller). */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, EACCES: 13, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENOTDIR: 20,
  EISDIR: 21, EINVAL: 22, EFBIG: 27, ENOSPC: 28, EROFS: 30, ENOSYS: 38, ENOTEMPTY: 39, ETIMEDOUT: 110,
} as const;
