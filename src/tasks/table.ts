// The in-memory task table: one array per indexed field, row-aligned and sorted by path, plus
// where each row's full record lives (a byte range of the index file, or a fresh JSON string).
// A table backed by an index parses a column only when something asks for it, so a warm
// `ls --status todo` touches path/size/mtime/status and the matched records, nothing else.

import { asList, asNumber, asString, dateMoment, dueMoment } from './fields.js';
import type { IndexReader } from './index-file.js';
import type { TaskRecord } from './types.js';

export interface Row {
  path: string;
  size: number;
  mtime: number;
  id: string;
  status: string | null;
  agent: string | null;
  assignee: string | null;
  priority: string | null;
  tags: string[];
  deps: string[];
  due: number | null;
  created: number | null;
  updated: number | null;
  est: number | null;
  act: number | null;
}

export type ColumnName = keyof Row;
export const COLUMN_NAMES: ColumnName[] = [
  'path', 'size', 'mtime', 'id', 'status', 'agent', 'assignee', 'priority', 'tags', 'deps', 'due', 'created', 'updated', 'est', 'act',
];

/** The indexed fields of a task, typed, from its front matter. */
export function rowOf(path: string, size: number, mtime: number, data: Record<string, unknown>): Row {
  return {
    path,
    size,
    mtime,
    id: idOf(path, data),
    status: asString(data.status),
    agent: asString(data.agent),
    assignee: asString(data.assignee),
    priority: asString(data.priority),
    tags: asList(data.tags),
    deps: asList(data.dependencies),
    due: dueMoment(data.due_date),
    created: dateMoment(data.created_at),
    updated: dateMoment(data.updated_at),
    est: asNumber(data.estimated_hours),
    act: asNumber(data.actual_hours),
  };
}

/** The task's id: its `id` key, else the file name without `.md`. */
export function idOf(path: string, data: Record<string, unknown>): string {
  const id = asString(data.id);
  if (id) return id;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.endsWith('.md') ? base.slice(0, -3) : base;
}

/** The record a task file yields: front matter keys as they are, `id` ensured, plus `path`. */
export function recordJson(row: Row, data: Record<string, unknown>): string {
  if (data.id === undefined || data.id === null || 'path' in data) {
    const rec: Record<string, unknown> = data.id === undefined || data.id === null ? { id: row.id, ...data } : { ...data };
    rec.path = row.path;
    return JSON.stringify(rec);
  }
  const json = JSON.stringify(data);
  return `${json.slice(0, -1)},"path":${JSON.stringify(row.path)}}`;
}

type Columns = { [K in ColumnName]: Row[K][] };

export class TaskTable {
  readonly n: number;
  readonly #reader: IndexReader | undefined;
  readonly #cols: Partial<Columns>;
  /** Byte ranges of records in the index (absent for an unpersisted table). */
  readonly #recOff: number[];
  readonly #recLen: number[];
  /** Records not (yet) in an index file, by row. */
  readonly #fresh: (string | undefined)[];

  constructor(n: number, source: { reader?: IndexReader; cols?: Partial<Columns>; recOff?: number[]; recLen?: number[]; fresh?: (string | undefined)[] }) {
    this.n = n;
    this.#reader = source.reader;
    this.#cols = source.cols ?? {};
    this.#recOff = source.recOff ?? (source.reader ? source.reader.column<number>('recOff') : []);
    this.#recLen = source.recLen ?? (source.reader ? source.reader.column<number>('recLen') : []);
    this.#fresh = source.fresh ?? [];
  }

  col<K extends ColumnName>(name: K): Row[K][] {
    let c = this.#cols[name];
    if (!c) {
      if (!this.#reader) throw new Error(`column ${name} missing from an unpersisted table`);
      c = this.#reader.column<Row[K]>(name) as Columns[K];
      this.#cols[name] = c;
    }
    return c as Row[K][];
  }

  row(i: number): Row {
    const r = {} as Record<ColumnName, unknown>;
    for (const name of COLUMN_NAMES) r[name] = this.col(name)[i];
    return r as unknown as Row;
  }

  recordText(i: number): string {
    const fresh = this.#fresh[i];
    if (fresh !== undefined) return fresh;
    return this.#reader!.text(this.#recOff[i], this.#recLen[i]);
  }

  record(i: number): TaskRecord {
    return JSON.parse(this.recordText(i)) as TaskRecord;
  }

  /** Where row i's record sits in the backing index, when it is there and not superseded. */
  indexedRange(i: number): [number, number] | undefined {
    return this.#fresh[i] === undefined && this.#reader ? [this.#recOff[i], this.#recLen[i]] : undefined;
  }

  get reader(): IndexReader | undefined {
    return this.#reader;
  }
}
