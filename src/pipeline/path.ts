// Dotted field paths (`State.Name`, `Tags.env`, `BlockDeviceMappings.0.DeviceName`); an empty
// name or part (`''`, `a..b`) is a usage error, never a path that silently matches nothing.
// Only a record's own fields count: `toString`, `constructor` or `__proto__` on a record that
// has no such field are missing (undefined), not something inherited from Object.prototype.

import { usageError } from '../errors.js';

/** The value of `record`'s own field `key`, or undefined when it has none. */
export function ownField(record: unknown, key: string): unknown {
  return record !== null && typeof record === 'object' && Object.hasOwn(record, key)
    ? (record as Record<string, unknown>)[key]
    : undefined;
}

export function compilePath(path: string): (rec: unknown) => unknown {
  const parts = path.split('.');
  if (parts.some((p) => p.trim() === '')) {
    throw usageError('BAD_FIELD', path.trim() === '' ? 'an empty field name' : `'${path}' is not a field path: one of its parts is empty`, 'give a field or a dotted path such as State.Name');
  }
  if (parts.length === 1) return (rec) => ownField(rec, path);
  return (rec) => {
    let cur: unknown = rec;
    for (const p of parts) {
      cur = ownField(cur, p);
      if (cur === undefined) return undefined;
    }
    return cur;
  };
}
