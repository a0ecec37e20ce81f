// What follows from all tasks together, computed once per change of the folder and kept in the
// index: id clashes (the first file by path keeps the id), the dependency graph (blocked tasks,
// cycles, dangling dependencies) and the counts behind `tasks stats`. Only "overdue" depends on
// the clock, so it is computed at query time instead (see stats.ts).

import type { TaskCounts, TaskProblem } from './types.js';
import type { TaskTable } from './table.js';

/** Statuses that close a task: a closed task resolves the tasks that depend on it and is never overdue. */
export const CLOSED: ReadonlySet<string> = new Set(['done', 'cancelled']);

/** The dependencies of a task that still hold it back: not closed, or no such task. */
export function unmetDependencies(deps: readonly string[], rowOfId: (id: string) => number | undefined, status: readonly (string | null)[]): string[] {
  return deps.filter((d) => {
    const r = rowOfId(d);
    return r === undefined || !CLOSED.has(status[r] ?? '');
  });
}


export interface Derived {
  /** Rows hidden because another file (earlier by path) has the same id. */
  hidden: number[];
  clashes: TaskProblem[];
  /** Rows that depend on a task that is not closed (or does not exist). */
  blocked: number[];
  cycles: string[][];
  missing: { id: string; missing: string }[];
  counts: TaskCounts;
}

export function derive(t: TaskTable, lineOfId: (path: string) => number): Derived {
  const ids = t.col('id');
  const paths = t.col('path');
  const status = t.col('status');
  const deps = t.col('deps');
  const rowOfId = new Map<string, number>();
  const hidden: number[] = [];
  const clashes: TaskProblem[] = [];
  for (let i = 0; i < t.n; i++) {
    const first = rowOfId.get(ids[i]);
    if (first === undefined) {
      rowOfId.set(ids[i], i);
      continue;
    }
    hidden.push(i);
    clashes.push({ path: paths[i], line: lineOfId(paths[i]), reason: `id '${ids[i]}' is already used by ${paths[first]}` });
  }
  const visible = new Uint8Array(t.n).fill(1);
  for (const i of hidden) visible[i] = 0;

  const blocked: number[] = [];
  const missing: Derived['missing'] = [];
  const rowOf = (id: string) => rowOfId.get(id);
  for (let i = 0; i < t.n; i++) {
    if (!visible[i]) continue;
    for (const d of deps[i]) if (!rowOfId.has(d)) missing.push({ id: ids[i], missing: d });
    if (unmetDependencies(deps[i], rowOf, status).length > 0) blocked.push(i);
  }
  return { hidden, clashes, blocked, cycles: findCycles(t, rowOfId, visible), missing, counts: countTasks(t, visible) };
}

/** Strongly connected components with more than one task (or a self-dependency), iteratively (Tarjan). */
function findCycles(t: TaskTable, rowOfId: Map<string, number>, visible: Uint8Array): string[][] {
  const ids = t.col('id');
  const deps = t.col('deps');
  const n = t.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const edges = (v: number) => deps[v].map((d) => rowOfId.get(d)).filter((w): w is number => w !== undefined);
  for (let root = 0; root < n; root++) {
    if (!visible[root] || index[root] !== -1 || deps[root].length === 0) continue;
    const work: { v: number; out: number[]; k: number }[] = [{ v: root, out: edges(root), k: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1];
      if (top.k < top.out.length) {
        const w = top.out[top.k++];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push({ v: w, out: edges(w), k: 0 });
        } else if (onStack[w]) low[top.v] = Math.min(low[top.v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) low[work[work.length - 1].v] = Math.min(low[work[work.length - 1].v], low[top.v]);
      if (low[top.v] !== index[top.v]) continue;
      const scc: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        scc.push(w);
      } while (w !== top.v);
      if (scc.length > 1 || top.out.includes(top.v)) cycles.push(scc.map((r) => ids[r]).sort());
    }
  }
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Counts and hours of the rows `included` marks. */
export function countTasks(t: TaskTable, included: Uint8Array): TaskCounts {
  const status = t.col('status');
  const agent = t.col('agent');
  const priority = t.col('priority');
  const tags = t.col('tags');
  const est = t.col('est');
  const act = t.col('act');
  const c: TaskCounts = { total: 0, byStatus: {}, byAgent: {}, byPriority: {}, byTag: {}, hours: { estimated: 0, actual: 0, ratio: null, byAgent: {} } };
  /** Estimated and actual hours of tasks that have both: the ratio compares like with like. */
  const both: Record<string, number[]> = {};
  const all = [0, 0];
  const bump = (m: Record<string, number>, k: string | null) => {
    const key = k ?? '(none)';
    m[key] = (m[key] ?? 0) + 1;
  };
  for (let i = 0; i < t.n; i++) {
    if (!included[i]) continue;
    c.total++;
    bump(c.byStatus, status[i]);
    bump(c.byAgent, agent[i]);
    bump(c.byPriority, priority[i]);
    for (const tag of tags[i]) bump(c.byTag, tag);
    const a = (c.hours.byAgent[agent[i] ?? '(none)'] ??= { estimated: 0, actual: 0, ratio: null });
    if (est[i] !== null) {
      c.hours.estimated += est[i]!;
      a.estimated += est[i]!;
    }
    if (act[i] !== null) {
      c.hours.actual += act[i]!;
      a.actual += act[i]!;
    }
    if (est[i] !== null && act[i] !== null) {
      const b = (both[agent[i] ?? '(none)'] ??= [0, 0]);
      b[0] += est[i]!;
      b[1] += act[i]!;
      all[0] += est[i]!;
      all[1] += act[i]!;
    }
  }
  const ratio = ([e, a]: number[]) => (e > 0 ? round(a / e) : null);
  c.hours.ratio = ratio(all);
  c.hours.estimated = round(c.hours.estimated);
  c.hours.actual = round(c.hours.actual);
  for (const [name, h] of Object.entries(c.hours.byAgent)) {
    h.ratio = ratio(both[name] ?? [0, 0]);
    h.estimated = round(h.estimated);
    h.actual = round(h.actual);
  }
  return c;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
