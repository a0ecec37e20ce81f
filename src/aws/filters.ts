// --filter as users type it: `instance-state-name=running,stopped` or the AWS CLI's shorthand
// `Name=instance-state-name,Values=running,stopped`. Values are comma separated.

import { usageError } from '../errors.js';

export interface Ec2Filter {
  Name: string;
  Values: string[];
}

export function parseFilter(text: string): Ec2Filter {
  const cli = /^Name=([^,]+),Values=(.+)$/.exec(text);
  const plain = cli ? null : /^([^=]+)=(.+)$/.exec(text);
  const m = cli ?? plain;
  const name = m?.[1].trim();
  const values = m?.[2].split(',').map((v) => v.trim()).filter(Boolean) ?? [];
  if (!name || values.length === 0) {
    throw usageError('BAD_FILTER', `invalid --filter '${text}'`, 'use --filter name=value1,value2, e.g. --filter instance-state-name=running');
  }
  return { Name: name, Values: values };
}

/** Filters merged by name (repeating a name adds values), in a stable order for the cache key. */
export function parseFilters(texts: readonly string[] | undefined): Ec2Filter[] {
  const byName = new Map<string, Set<string>>();
  for (const t of texts ?? []) {
    const f = parseFilter(t);
    const set = byName.get(f.Name) ?? new Set<string>();
    f.Values.forEach((v) => set.add(v));
    byName.set(f.Name, set);
  }
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([Name, v]) => ({ Name, Values: [...v].sort() }));
}
