// The in-memory task table: one array per indexed field, row-aligned and sorted by path, plus
// where each row's full record lives (a byte range of the index file, or a fresh JSON string).
// A table backed by an index decodes a column only when something asks for it, so a warm
// `ls --status todo` touches path/size/mtime/status and the matched records, nothing else;
// size, mtime and the record ranges stay Float64Arrays, read from the index without parsing.
//
// A corrupt index (a column or record that fails its checksum, see index-file.ts) is repaired in
// place, so row numbers already handed out stay valid: a bad record is replaced by its task file
// read again; a bad column makes the table read every task file again (as a cold start does) and
// hold all columns and records in memory. Either way `repair.corrupt` tells the store, which
// discards the index file. Only the path column cannot be repaired (it names the files): it is
// read when the store opens the index, which then starts cold instead.

import { asHours, asList, asString, dateMoment, dueMoment, typeWarnings } from './fields.js';
import { checkedText, IndexCorruptError, type ColumnKind, type IndexReader } from './index-file.js';
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

/** The column each typed front matter key reads into. */
export const TYPED_COLUMN: Record<string, 'due' | 'created' | 'updated' | 'est' | 'act'> = {
  due_date: 'due', created_at: 'created', updated_at: 'updated', estimated_hours: 'est', actual_hours: 'act',
};

/** The indexed fields of a task, typed, from its front matter. */
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

/** The columns of a list of rows, for a table or an index. */
export function columnsOf(rows: Row[]): Columns {
  const cols: Record<string, ArrayLike<unknown>> = {};
  for (const name of COLUMN_NAMES) {
    if (COLUMN_KINDS[name] !== 'f64') {
      cols[name] = rows.map((r) => r[name]);
      continue;
    }
    const values = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = rows[i][name] as number;
    cols[name] = values;
  }
  return cols as Columns;
}

type CodedColumn = 'status' | 'agent' | 'assignee' | 'priority';
type Coded = { dict: (string | null)[]; codes: Uint16Array };

/** How a table backed by a corrupt index gets its data from the task files instead. */
export interface TableRepair {
  /** The task file at `path` read again: its row and record, or undefined when it is gone or no longer a task. */
  reread(path: string): { row: Row; json: string } | undefined;
  /** The backing index failed a checksum (called at each failure; the store acts once). */
  corrupt(reader: IndexReader): void;
}

/** Largest index read made to serve several records at once (one buffer, reused per window). */
const WINDOW_BYTES = 64 * 1024;

export class TaskTable {
  readonly n: number;
  readonly #reader: IndexReader | undefined;
  readonly #repair: TableRepair | undefined;
  #cols: Partial<Columns>;
  /** Byte ranges and checksums of records in the index, read from it on first use. */
  #recOff: ArrayLike<number> | undefined;
  #recLen: ArrayLike<number> | undefined;
  #recCrc: ArrayLike<number> | undefined;
  /** Records not (yet) in an index file, or read again from their file, by row. */
  readonly #fresh: (string | undefined)[];
  /** Dictionary columns read as codes (a query and its warnings both ask; read and checked once). */
  readonly #codes: Partial<Record<CodedColumn, Coded>> = {};
  #repaired = false;

  constructor(
    n: number,
    source: { reader?: IndexReader; cols?: Partial<Columns>; recOff?: ArrayLike<number>; recLen?: ArrayLike<number>; recCrc?: ArrayLike<number>; fresh?: (string | undefined)[]; repair?: TableRepair },
  ) {
    this.n = n;
    this.#reader = source.reader;
    this.#cols = source.cols ?? {};
    this.#recOff = source.recOff;
    this.#recLen = source.recLen;
    this.#recCrc = source.recCrc;
    this.#fresh = source.fresh ?? [];
    this.#repair = source.repair;
  }

  /** Whether a column of the backing index failed its checksum, so every row was read again from its file. */
  get repaired(): boolean {
    return this.#repaired;
  }

  col<K extends ColumnName>(name: K): Columns[K] {
    let c = this.#cols[name] as Columns[K] | undefined;
    if (!c) {
      if (!this.#reader) throw new Error(`column ${name} missing from an unpersisted table`);
      try {
        c = (COLUMN_KINDS[name] === 'f64' ? this.#reader.numbers(name) : this.#reader.column(name)) as Columns[K];
      } catch (err) {
        this.#repairAll(err);
        return this.#cols[name] as Columns[K];
      }
      this.#cols[name] = c;
    }
    return c;
  }

  /**
   * A few-valued column as dictionary codes, straight from the index (no string per row), when
   * it is stored that way and not decoded yet; otherwise undefined (use `col`).
   */
  codes(name: CodedColumn): Coded | undefined {
    if (this.#cols[name] || !this.#reader) return undefined;
    try {
      return (this.#codes[name] ??= this.#reader.dictionary(name));
    } catch (err) {
      this.#repairAll(err);
      return undefined;
    }
  }

  row(i: number): Row {
    const r = {} as Record<ColumnName, unknown>;
    for (const name of COLUMN_NAMES) r[name] = this.col(name)[i];
    return r as unknown as Row;
  }

  recordText(i: number): string {
    const fresh = this.#fresh[i];
    if (fresh !== undefined) return fresh;
    const ranges = this.#ranges();
    if (!ranges) return this.#fresh[i]!;
    const [off, len, crc] = ranges;
    return this.#reader!.record(off[i], len[i], crc[i]) ?? this.#repairRecord(i);
  }

  /**
   * Records of many rows, reading the index in windows of up to WINDOW_BYTES that cover several
   * wanted records at once (rows of one query are mostly in file order), instead of a read each.
   */
  *records(rows: number[]): Generator<TaskRecord> {
    for (const text of this.recordTexts(rows)) yield JSON.parse(text) as TaskRecord;
  }

  /** The records of many rows as their JSON text (see `records`); each checked against its checksum. */
  *recordTexts(rows: number[]): Generator<string> {
    let buffer: Buffer | undefined;
    let k = 0;
    while (k < rows.length) {
      const first = rows[k];
      const ranges = this.#fresh[first] !== undefined || !this.#reader ? undefined : this.#ranges();
      if (!ranges) {
        yield this.recordText(first);
        k++;
        continue;
      }
      const [off, len, crc] = ranges;
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
      const window = this.#reader!.bytes(start, end - start, buffer);
      for (; k <= last; k++) {
        const r = rows[k];
        yield checkedText(window.subarray(off[r] - start, off[r] - start + len[r]), len[r], crc[r]) ?? this.#repairRecord(r);
      }
    }
  }

  /** Offsets, lengths and checksums of the indexed records; undefined once the table was read again from the files. */
  #ranges(): [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>] | undefined {
    if (this.#repaired) return undefined;
    if (!this.#recOff || !this.#recLen || !this.#recCrc) {
      try {
        this.#recOff ??= this.#reader ? this.#reader.numbers('recOff') : [];
        this.#recLen ??= this.#reader ? this.#reader.numbers('recLen') : [];
        this.#recCrc ??= this.#reader ? this.#reader.numbers('recCrc') : [];
      } catch (err) {
        this.#repairAll(err);
        return undefined;
      }
    }
    return [this.#recOff, this.#recLen, this.#recCrc];
  }

  record(i: number): TaskRecord {
    return JSON.parse(this.recordText(i)) as TaskRecord;
  }

  /** Where row i's record sits in the backing index, with its checksum, when it is there and not superseded. */
  indexedRange(i: number): [number, number, number] | undefined {
    if (this.#fresh[i] !== undefined || !this.#reader) return undefined;
    const ranges = this.#ranges();
    if (!ranges) return undefined;
    const [off, len, crc] = ranges;
    return [off[i], len[i], crc[i]];
  }

  get reader(): IndexReader | undefined {
    return this.#reader;
  }

  /** Row i's record failed its checksum: its file, read again, stands in for it from now on. */
  #repairRecord(i: number): string {
    if (!this.#repair) throw new IndexCorruptError(`record of row ${i}`);
    this.#repair.corrupt(this.#reader!);
    const path = this.col('path')[i];
    const json = this.#repair.reread(path)?.json ?? gone(path).json;
    this.#fresh[i] = json;
    return json;
  }

  /**
   * A column (or the record ranges) failed its checksum: every row is read again from its file and
   * the table keeps all columns and records in memory. The path column is kept (it is what names
   * the files); when it is the one that failed, or there is no way to read files, this throws.
   */
  #repairAll(err: unknown): void {
    if (!(err instanceof IndexCorruptError) || !this.#repair) throw err;
    let paths = this.#cols.path;
    try {
      paths ??= this.#reader!.column<string>('path');
    } catch {
      throw err;
    }
    this.#repair.corrupt(this.#reader!);
    const rows: Row[] = [];
    for (let i = 0; i < this.n; i++) {
      const read = this.#repair.reread(paths[i]) ?? gone(paths[i]);
      rows.push(read.row);
      this.#fresh[i] = read.json;
    }
    this.#cols = columnsOf(rows);
    this.#repaired = true;
  }
}

/** A row whose file went away (or stopped being a task) since the table was built: no values, size -1 so the next refresh reads it. */
function gone(path: string): { row: Row; json: string } {
  const row = rowOf(path, -1, -1, {});
  return { row, json: recordJson(row, {}) };
}
