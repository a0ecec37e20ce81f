// The clock-dependent part of `tasks stats`: which open tasks are past their due date now.

import { CLOSED, type Derived } from './derive.js';
import type { TaskTable } from './table.js';

/** Ids of visible, open tasks due before `now`, earliest first. */
export function overdueIds(t: TaskTable, derived: Derived, now: number): string[] {
  const due = t.col('due');
  const status = t.col('status');
  const ids = t.col('id');
  const hidden = new Set(derived.hidden);
  const rows: number[] = [];
  for (let i = 0; i < t.n; i++) {
    if (due[i] !== null && due[i]! < now && !CLOSED.has(status[i] ?? '') && !hidden.has(i)) rows.push(i);
  }
  return rows.sort((a, b) => due[a]! - due[b]! || (ids[a] < ids[b] ? -1 : 1)).map((i) => ids[i]);
}
