// Answering `tasks ls` from the table: equality filters go through posting lists (value → rows,
// built on first use per field), due-date ranges through a due-sorted row list with binary
// search; the smallest candidate set is scanned and the other predicates checked per row. Text
// search runs last, on the few rows left, because it reads bodies from disk.

import type { Derived } from './derive.js';
import { TYPED_COLUMN, type Row, type TaskTable } from './table.js';
import type { TaskQuery } from './types.js';
import { compareValues } from '../util/compare.js';
import { usageError } from '../errors.js';

type ListField = 'status' | 'agent' | 'assignee' | 'priority' | 'tag';

const COLUMN_SORTS: Record<string, keyof Row> = {
  id: 'id', path: 'path', status: 'status', agent: 'agent', assignee: 'assignee', priority: 'priority',
  ...TYPED_COLUMN,
};

/** Whether a query picks tasks (sorting and paging aside). */
export function isFiltered(q: TaskQuery): boolean {
  return (['status', 'agent', 'assignee', 'priority', 'tag', 'dueBefore', 'dueAfter', 'blocked', 'text'] as const).some((k) => q[k] !== undefined);
}

export class QueryEngine {
  readonly #t: TaskTable;
  readonly #visible: Uint8Array;
  readonly #blocked: Uint8Array;
  readonly #order: Record<string, Map<string, number>>;
  readonly #postings = new Map<ListField, Map<string, number[]>>();
  #byDue: number[] | undefined;
  #rowOfId: Map<string, number> | undefined;

  constructor(table: TaskTable, derived: Derived, rules: { statuses: string[]; priorities: string[] }) {
    this.#t = table;
    this.#visible = new Uint8Array(table.n).fill(1);
    for (const i of derived.hidden) this.#visible[i] = 0;
    this.#blocked = new Uint8Array(table.n);
    for (const i of derived.blocked) this.#blocked[i] = 1;
    this.#order = {
      status: new Map(rules.statuses.map((s, i) => [s, i])),
      priority: new Map(rules.priorities.map((s, i) => [s, i])),
    };
  }

  isVisible(row: number): boolean {
    return this.#visible[row] === 1;
  }

  /** The visible row holding `id` (ids of visible rows are unique: clashes are hidden). */
  rowOf(id: string): number | undefined {
    if (!this.#rowOfId) {
      const ids = this.#t.col('id');
      this.#rowOfId = new Map();
      for (let i = 0; i < ids.length; i++) if (this.#visible[i]) this.#rowOfId.set(ids[i], i);
    }
    return this.#rowOfId.get(id);
  }

  isBlocked(row: number): boolean {
    return this.#blocked[row] === 1;
  }

  /** Matching rows, sorted and paged; `bodyMatches` decides text matches the front matter lacks. */
  rows(q: TaskQuery, bodyMatches: (row: number, needle: string) => boolean): number[] {
    const filters: [ListField, string[]][] = [];
    for (const f of ['status', 'agent', 'assignee', 'priority', 'tag'] as const) {
      const values = q[f];
      if (values && values.length > 0) filters.push([f, values]);
    }
    let candidates: Iterable<number> | undefined;
    let best = Infinity;
    let chosen = -1;
    filters.forEach(([f, values], k) => {
      const size = values.reduce((n, v) => n + (this.#posting(f).get(v)?.length ?? 0), 0);
      if (size < best) [best, chosen] = [size, k];
    });
    if (chosen !== -1) candidates = this.#union(...filters[chosen]);
    if (!candidates && (q.dueBefore !== undefined || q.dueAfter !== undefined)) candidates = this.#dueRange(q.dueBefore, q.dueAfter);
    candidates ??= range(this.#t.n);

    const due = q.dueBefore !== undefined || q.dueAfter !== undefined ? this.#t.col('due') : [];
    // the candidates already satisfy the filter they came from; the others are checked per row
    const sets = filters.filter((_, k) => k !== chosen).map(([f, values]) => [f === 'tag' ? this.#t.col('tags') : this.#t.col(f), new Set(values)] as const);
    const needle = q.text?.toLowerCase();
    const out: number[] = [];
    for (const i of candidates) {
      if (!this.#visible[i]) continue;
      if (q.blocked !== undefined && (this.#blocked[i] === 1) !== q.blocked) continue;
      if (q.dueBefore !== undefined && (due[i] === null || due[i]! >= q.dueBefore)) continue;
      if (q.dueAfter !== undefined && (due[i] === null || due[i]! <= q.dueAfter)) continue;
      let ok = true;
      for (const [col, set] of sets) {
        const v = col[i];
        if (Array.isArray(v) ? !v.some((x) => set.has(x)) : !set.has(v as string)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (needle && !this.#textMatches(i, needle, bodyMatches)) continue;
      out.push(i);
    }
    // sorted: empty values stay last either way; unsorted: --reverse reverses file order
    if (q.sort) this.#sort(out, q.sort, q.reverse ? -1 : 1);
    else if (q.reverse) out.reverse();
    const start = q.offset ?? 0;
    return out.slice(start, q.limit === undefined ? undefined : start + q.limit);
  }

  #textMatches(i: number, needle: string, bodyMatches: (row: number, needle: string) => boolean): boolean {
    const rec = this.#t.record(i);
    for (const key of ['title', 'description']) {
      const v = rec[key];
      if (typeof v === 'string' && v.toLowerCase().includes(needle)) return true;
    }
    return bodyMatches(i, needle);
  }

  #posting(f: ListField): Map<string, number[]> {
    let m = this.#postings.get(f);
    if (m) return m;
    m = new Map();
    const add = (v: string | null, i: number) => {
      if (v === null) return;
      let list = m!.get(v);
      if (!list) m!.set(v, (list = []));
      // rows come in order, so a value repeated in one row (tags: [a, a]) is the last entry
      if (list[list.length - 1] !== i) list.push(i);
    };
    const coded = f === 'tag' ? undefined : this.#t.codes(f);
    if (coded) {
      // straight from the index's codes: no string column is built
      const lists = coded.dict.map((): number[] => []);
      for (let i = 0; i < this.#t.n; i++) lists[coded.codes[i]].push(i);
      coded.dict.forEach((v, c) => v !== null && m!.set(v, lists[c]));
    } else if (f === 'tag') {
      const tags = this.#t.col('tags');
      for (let i = 0; i < this.#t.n; i++) for (const tag of tags[i]) add(tag, i);
    } else {
      const col = this.#t.col(f);
      for (let i = 0; i < this.#t.n; i++) add(col[i], i);
    }
    this.#postings.set(f, m);
    return m;
  }

  #union(f: ListField, values: string[]): number[] {
    const lists = values.map((v) => this.#posting(f).get(v) ?? []);
    if (lists.length === 1) return lists[0];
    return [...new Set(lists.flat())].sort((a, b) => a - b);
  }

  #dueRange(before: number | undefined, after: number | undefined): number[] {
    const due = this.#t.col('due');
    if (!this.#byDue) {
      this.#byDue = [];
      for (let i = 0; i < this.#t.n; i++) if (due[i] !== null) this.#byDue.push(i);
      this.#byDue.sort((a, b) => due[a]! - due[b]!);
    }
    const list = this.#byDue;
    const lo = after === undefined ? 0 : firstIndex(list, (i) => due[i]! > after);
    const hi = before === undefined ? list.length : firstIndex(list, (i) => due[i]! >= before);
    return list.slice(lo, hi).sort((a, b) => a - b);
  }

  /** Whether any task has `field` (read record by record until one does: only for an unknown key). */
  #anyHas(field: string): boolean {
    for (let i = 0; i < this.#t.n; i++) if (this.#t.record(i)[field] !== undefined) return true;
    return false;
  }

  #sort(rows: number[], field: string, direction: 1 | -1): void {
    const column = COLUMN_SORTS[field];
    let key: (i: number) => unknown;
    if (column) {
      const col = this.#t.col(column) as unknown[];
      const order = this.#order[field];
      key = order ? (i) => (col[i] === null ? null : order.get(col[i] as string) ?? order.size) : (i) => col[i];
    } else {
      const values = new Map(rows.map((i) => [i, this.#t.record(i)[field]]));
      // a key no task in the folder has is a typo (`--sort due`), not an order
      if ([...values.values()].every((v) => v === undefined) && !this.#anyHas(field)) {
        throw usageError('TASK_BAD_SORT', `no task has a key '${field}' to sort by`, `Sort by ${Object.keys(COLUMN_SORTS).join(', ')}, title or another key the files have.`);
      }
      key = (i) => values.get(i);
    }
    const keys = new Map(rows.map((i) => [i, key(i)]));
    rows.sort((a, b) => compareValues(keys.get(a), keys.get(b), direction) || a - b);
  }
}

function firstIndex(list: number[], pred: (row: number) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(list[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function* range(n: number): Iterable<number> {
  for (let i = 0; i < n; i++) yield i;
}
