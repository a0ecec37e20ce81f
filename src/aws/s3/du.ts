// `s3 du`: object count and bytes over a streamed recursive listing, in constant memory.
//   total            one record for the whole prefix
//   --by prefix      one record per prefix `depth` levels below the given one; S3 lists keys in
//                    order, so each group is contiguous and is emitted as soon as the next starts
//   --by storage-class  one record per class (a handful of classes at most)

import type { Rec } from '../../cli/types.js';

export type DuGrouping = { by: 'total' } | { by: 'prefix'; depth: number } | { by: 'storage-class' };

/** The group of a key: the base prefix plus `depth` more path segments (objects above that depth form their own group). */
export function prefixGroup(key: string, base: string, depth: number): string {
  const rest = key.slice(base.length).split('/');
  if (rest.length <= depth) return base + rest.slice(0, -1).map((s) => s + '/').join('');
  return base + rest.slice(0, depth).map((s) => s + '/').join('');
}

export async function* diskUsage(objects: AsyncIterable<Rec>, base: string, grouping: DuGrouping): AsyncGenerator<Rec> {
  if (grouping.by === 'storage-class') {
    const byClass = new Map<string, { Objects: number; Bytes: number }>();
    for await (const o of objects) {
      const cls = String(o.StorageClass ?? 'STANDARD');
      const acc = byClass.get(cls) ?? { Objects: 0, Bytes: 0 };
      acc.Objects++;
      acc.Bytes += Number(o.Size ?? 0);
      byClass.set(cls, acc);
    }
    for (const [cls, acc] of [...byClass].sort(([a], [b]) => (a < b ? -1 : 1))) yield { Prefix: base, StorageClass: cls, ...acc };
    return;
  }
  const depth = grouping.by === 'prefix' ? grouping.depth : 0;
  let current: string | undefined;
  let objects_ = 0;
  let bytes = 0;
  for await (const o of objects) {
    const group = depth === 0 ? base : prefixGroup(String(o.Key), base, depth);
    if (current !== undefined && group !== current) {
      yield { Prefix: current, Objects: objects_, Bytes: bytes };
      objects_ = 0;
      bytes = 0;
    }
    current = group;
    objects_++;
    bytes += Number(o.Size ?? 0);
  }
  if (current !== undefined || depth === 0) yield { Prefix: current ?? base, Objects: objects_, Bytes: bytes };
}
