// Just the part of fuse-native (CJS, no bundled types) that src/mount uses.
declare module 'fuse-native' {
  type Cb = (...args: any[]) => void;
  interface FuseOptions {
    debug?: boolean;
    force?: boolean;
    mkdir?: boolean;
    fsname?: string;
    subtype?: string;
    maxRead?: number;
    autoCache?: boolean;
    attrTimeout?: number;
    entryTimeout?: number;
    timeout?: number | false | Record<string, number | false>;
  }
  class Fuse {
    constructor(mnt: string, ops: Record<string, Cb>, opts?: FuseOptions);
    mount(cb: (err: Error | null) => void): void;
    unmount(cb: (err: Error | null) => void): void;
    static unmount(mnt: string, cb: (err: Error | null) => void): void;
    static ENOENT: number;
    [errno: string]: any;
  }
  export default Fuse;
}
