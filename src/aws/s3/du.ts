// `s3 du`: object count and bytes over a streamed recursive listing, in constant memory.
//   total            one record for the whole prefix
//   --by prefix      one record per prefix `depth` levels below the given one. S3 lists keys in
//                    order, so the keys under a folder are contiguous, but objects lying above
//                    `depth` (say `a.txt` and `z.bin` around `logs/`) form a group that is split
//                    by its subfolders. The groups along the current key stay open (at most
//                    depth + 1) and each is emitted once, when a key leaves its folder: deepest
//                    first, the base prefix's loose objects last.
//   --by storage-class  one record per class (a handful of classes at most)

import type { Rec } from '../../cli/types.js';

type Group = { Prefix: string; Objects: number; Bytes: number };

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
  // The groups holding the current key, outermost first (at most depth + 1); the whole prefix
  // always has a record when grouping by total.
  const open: Group[] = depth === 0 ? [{ Prefix: base, Objects: 0, Bytes: 0 }] : [];
  for await (const o of objects) {
    const key = String(o.Key);
    while (open.length > 0 && !key.startsWith(open[open.length - 1].Prefix)) yield open.pop()!;
    const prefix = depth === 0 ? base : prefixGroup(key, base, depth);
    let group = open[open.length - 1];
    if (group?.Prefix !== prefix) {
      group = { Prefix: prefix, Objects: 0, Bytes: 0 };
      open.push(group);
    }
    group.Objects++;
    group.Bytes += Number(o.Size ?? 0);
  }
  while (open.length > 0) yield open.pop()!;
}
