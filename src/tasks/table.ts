// The in-memory task table: one array per indexed field, row-aligned and sorted by path, plus
// where each row's full record lives (a byte range of the index file, or a fresh JSON string).
// A table backed by an index decodes a column only when something asks for it, so a warm
// `ls --status todo` touches path/size/mtime/status and the matched records, nothing else;
// size, mtime and the record ranges stay Float64Arrays, read from the index without parsing.

import { asHours, asList, asString, dateMoment, dueMoment, typeWarnings } from './fields.js';
import type { ColumnKind, IndexReader } from './index-file.js';
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
  /** How many dates and numbers in the front matter did not read as one (typeWarnings has them). */
  bad: number;
}

export type ColumnName = keyof Row;
/** How each column is stored in the index. */
export const COLUMN_KINDS: Record<ColumnName, ColumnKind> = {
  path: 'json', size: 'f64', mtime: 'f64', id: 'json', status: 'dict', agent: 'dict', assignee: 'dict', priority: 'dict',
  tags: 'json', deps: 'json', due: 'f64?', created: 'f64?', updated: 'f64?', est: 'f64?', act: 'f64?', bad: 'f64',
};
export const COLUMN_NAMES = Object.keys(COLUMN_KINDS) as ColumnName[];

/** The indexed fields of a task, typed, from its front matter. */
/** The column each typed front matter key reads into. */
const TYPED_COLUMN: Record<string, 'due' | 'created' | 'updated' | 'est' | 'act'> = {
  due_date: 'due', created_at: 'created', updated_at: 'updated', estimated_hours: 'est', actual_hours: 'act',
};

export function rowOf(path: string, size: number, mtime: number, data: Record<string, unknown>): Row {
  const row: Row = {
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
    est: asHours(data.estimated_hours),
    act: asHours(data.actual_hours),
    bad: 0,
  };
  // counted from the values just read, not read again
  row.bad = typeWarnings(data, (key) => row[TYPED_COLUMN[key]]).length;
  return row;
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

/** The columns of a table: numbers that are never null as Float64Arrays, the others as arrays. */
export type Columns = { [K in ColumnName]: K extends 'size' | 'mtime' | 'bad' ? Float64Array : Row[K][] };

/** Largest index read made to serve several records at once (one buffer, reused per window). */
const WINDOW_BYTES = 64 * 1024;

export class TaskTable {
  readonly n: number;
  readonly #reader: IndexReader | undefined;
  readonly #cols: Partial<Columns>;
  /** Byte ranges of records in the index, read from it on first use. */
  #recOff: ArrayLike<number> | undefined;
  #recLen: ArrayLike<number> | undefined;
  /** Records not (yet) in an index file, by row. */
  readonly #fresh: (string | undefined)[];

  constructor(n: number, source: { reader?: IndexReader; cols?: Partial<Columns>; recOff?: ArrayLike<number>; recLen?: ArrayLike<number>; fresh?: (string | undefined)[] }) {
    this.n = n;
    this.#reader = source.reader;
    this.#cols = source.cols ?? {};
    this.#recOff = source.recOff;
    this.#recLen = source.recLen;
    this.#fresh = source.fresh ?? [];
  }

  col<K extends ColumnName>(name: K): Columns[K] {
    let c = this.#cols[name] as Columns[K] | undefined;
    if (!c) {
      if (!this.#reader) throw new Error(`column ${name} missing from an unpersisted table`);
      c = (COLUMN_KINDS[name] === 'f64' ? this.#reader.numbers(name) : this.#reader.column(name)) as Columns[K];
      this.#cols[name] = c;
    }
    return c;
  }

  /**
   * A few-valued column as dictionary codes, straight from the index (no string per row), when
   * it is stored that way and not decoded yet; otherwise undefined (use `col`).
   */
  codes(name: 'status' | 'agent' | 'assignee' | 'priority'): { dict: (string | null)[]; codes: Uint16Array } | undefined {
    return this.#cols[name] || !this.#reader ? undefined : this.#reader.dictionary(name);
  }

  row(i: number): Row {
    const r = {} as Record<ColumnName, unknown>;
    for (const name of COLUMN_NAMES) r[name] = this.col(name)[i];
    return r as unknown as Row;
  }

  recordText(i: number): string {
    const fresh = this.#fresh[i];
    if (fresh !== undefined) return fresh;
    const [off, len] = this.#ranges();
    return this.#reader!.text(off[i], len[i]);
  }

  /**
   * Records of many rows, reading the index in windows of up to WINDOW_BYTES that cover several
   * wanted records at once (rows of one query are mostly in file order), instead of a read each.
   */
  *records(rows: number[]): Generator<TaskRecord> {
    for (const text of this.recordTexts(rows)) yield JSON.parse(text) as TaskRecord;
  }

  /** The records of many rows as their JSON text (see `records`). */
  *recordTexts(rows: number[]): Generator<string> {
    let buffer: Buffer | undefined;
    let k = 0;
    while (k < rows.length) {
      const first = rows[k];
      if (this.#fresh[first] !== undefined || !this.#reader) {
        yield this.recordText(first);
        k++;
        continue;
      }
      const [off, len] = this.#ranges();
      const start = off[first];
      let end = start + len[first];
      let last = k;
      while (last + 1 < rows.length) {
        const r = rows[last + 1];
        if (this.#fresh[r] !== undefined || off[r] < start || off[r] + len[r] - start > WINDOW_BYTES) break;
        end = Math.max(end, off[r] + len[r]);
        last++;
      }
      if (last === k) {
        yield this.recordText(first);
        k++;
        continue;
      }
      buffer ??= Buffer.allocUnsafe(WINDOW_BYTES);
      const window = this.#reader.bytes(start, end - start, buffer);
      for (; k <= last; k++) {
        const r = rows[k];
        yield window.toString('utf8', off[r] - start, off[r] - start + len[r]);
      }
    }
  }

  #ranges(): [ArrayLike<number>, ArrayLike<number>] {
    this.#recOff ??= this.#reader ? this.#reader.numbers('recOff') : [];
    this.#recLen ??= this.#reader ? this.#reader.numbers('recLen') : [];
    return [this.#recOff, this.#recLen];
  }

  record(i: number): TaskRecord {
    return JSON.parse(this.recordText(i)) as TaskRecord;
  }

  /** Where row i's record sits in the backing index, when it is there and not superseded. */
  indexedRange(i: number): [number, number] | undefined {
    if (this.#fresh[i] !== undefined || !this.#reader) return undefined;
    const [off, len] = this.#ranges();
    return [off[i], len[i]];
  }

  get reader(): IndexReader | undefined {
    return this.#reader;
  }
}
