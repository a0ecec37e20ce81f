// The disk tier behind Keyv's store interface: `new Keyv({ store: keyvDiskStore(disk) })` keeps
// whatever Keyv serialises in the same files, format and byte bound as the engine's entries (the
// serialised text is one page: kept as text under 4 KB, compressed above, CRC-checked, written
// atomically). Keyv handles expiry itself (the expiry is inside the value). The engine uses
// DiskStore directly, because it streams entries frame by frame, which Keyv's whole-value get/set
// cannot.

import type { DiskStore } from './disk.js';

export interface KeyvDiskStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
  namespace?: string;
}

export function keyvDiskStore(disk: DiskStore, now: () => number = Date.now): KeyvDiskStore {
  const store: KeyvDiskStore = {
    async get(key) {
      const entry = disk.read(key);
      if (!entry) return undefined;
      try {
        let text = '';
        for (const chunk of entry.chunks()) text += chunk;
        return text;
      } finally {
        entry.close();
      }
    },
    async set(key, value) {
      const writer = disk.writer(key, now());
      if (!writer) return false; // a key too long for a file name
      try {
        writer.append(String(value));
        writer.commit(1);
      } catch (err) {
        writer.abort();
        throw err;
      }
      return true;
    },
    delete: (key) => disk.delete(key),
    // only this Keyv's keys (`<namespace>:…`): the folder also holds the engine's entries
    async clear() {
      const prefix = `${store.namespace ?? 'keyv'}:`;
      for (const e of disk.list()) if (e.key.startsWith(prefix)) await disk.delete(e.key);
    },
  };
  return store;
}
