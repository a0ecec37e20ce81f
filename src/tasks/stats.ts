// The clock-dependent part of `tasks stats`: which open tasks are past their due date now.

import { CLOSED } from './derive.js';
import type { TaskTable } from './table.js';

/** Ids of visible, open tasks due before `now`, earliest first. */
export function overdueIds(t: TaskTable, isVisible: (row: number) => boolean, now: number): string[] {
  const due = t.col('due');
  const status = t.col('status');
  const ids = t.col('id');
  const rows: number[] = [];
  for (let i = 0; i < t.n; i++) {
    if (due[i] !== null && due[i]! < now && !CLOSED.has(status[i] ?? '') && isVisible(i)) rows.push(i);
  }
  return rows.sort((a, b) => due[a]! - due[b]! || (ids[a] < ids[b] ? -1 : 1)).map((i) => ids[i]);
}
