// The task store: a folder of markdown task files seen through a persisted index. Opening it
// brings the index up to date (reading only changed files); queries run on the in-memory
// columns; writes go to the files (atomically, refusing lost updates) and the next open or
// refresh picks them up. Nothing heavy is imported here: `yaml` loads only when a file needs it
// or on a write, chokidar only for `watch`, and the write path (with node:crypto) only on a write.

import path from 'node:path';
import { runtimeError, usageError } from '../errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { countTasks, derive, unmetDependencies, type Derived } from './derive.js';
import { coerceField, typeWarnings, type FieldRules } from './fields.js';
import { lineOfKey, loadYaml, splitFrontMatter } from './front-matter.js';
import { INDEX_VERSION, IndexCorruptError, IndexReader, IndexWriter, indexKeyOf, indexPathFor, type ColumnKind, type IndexedProblem } from './index-file.js';
import { nodeTaskFs } from './node-fs.js';
import { isFiltered, QueryEngine } from './query.js';
import { byCodePoint, idLine, listFolder, rereadTask, scanChanges, type ScanBase } from './scan.js';
import { overdueIds } from './stats.js';
import { COLUMN_KINDS, COLUMN_NAMES, columnsOf, TaskTable, type Columns, type TableRepair } from './table.js';
import type { TaskChange, TaskDetail, TaskFs, TaskProblem, TaskQuery, TaskRecord, TaskStats, TaskStoreOptions } from './types.js';
import { DEFAULT_TASK_PRIORITIES, DEFAULT_TASK_STATUSES } from '../config/schema.js';
import type { LookupOutcome } from '../engine/types.js';


export async function openTaskStore(opts: TaskStoreOptions): Promise<TaskStore> {
  const store = new TaskStore(opts);
  await store.refresh();
  return store;
}

interface State {
  table: TaskTable;
  derived: Derived;
  fileProblems: IndexedProblem[];
  dirs: [string, number][];
  engine: QueryEngine;
}

export class TaskStore {
  readonly dir: string;
  readonly #fs: TaskFs;
  readonly #clock: Clock;
  readonly #rules: FieldRules;
  readonly #indexFile: string | undefined;
  #rebuild: boolean;
  #indexOutcome: LookupOutcome | undefined;
  #state: State | undefined;
  /** Open index files; older tables (snapshots held by watch) may still read from them, so all close together. */
  readonly #readers = new Set<IndexReader>();
  #lastReads = 0;
  #indexError: NodeJS.ErrnoException | undefined;
  /** Set when an index failed a checksum after it was opened (it is then deleted); cleared by the next save. */
  #indexCorrupt = false;
  /** How tables read task files again when their index turns out corrupt (table.ts). */
  readonly #repair: TableRepair = {
    reread: (rel) => rereadTask(this.dir, this.#fs, rel),
    corrupt: (reader) => {
      if (this.#indexCorrupt) return;
      this.#indexCorrupt = true;
      if (this.#indexFile) reader.discard(this.#indexFile);
    },
  };

  constructor(opts: TaskStoreOptions) {
    this.dir = path.resolve(opts.dir);
    this.#fs = opts.fs ?? nodeTaskFs;
    this.#clock = opts.clock ?? systemClock;
    this.#rules = { statuses: opts.statuses ?? DEFAULT_TASK_STATUSES, priorities: opts.priorities ?? DEFAULT_TASK_PRIORITIES };
    this.#indexFile = opts.cacheDir ? indexPathFor(opts.cacheDir, this.dir) : undefined;
    this.#rebuild = opts.rebuild ?? false;
  }

  /** Files read by the last refresh (a warm start with nothing changed reads none). */
  get lastReads(): number {
    return this.#lastReads;
  }

  /**
   * How the persisted index served the first refresh, as a cache lookup: hit (valid, no file
   * read), stale (valid but some files changed and were read), miss (none, or unreadable) or
   * refresh (ignored on purpose); undefined without persistence.
   */
  get indexOutcome(): LookupOutcome | undefined {
    return this.#indexOutcome;
  }

  /** The persisted index's cache key (`tasks:<folder hash>:index`), when there is one. */
  get indexKey(): string | undefined {
    return this.#indexFile && indexKeyOf(this.#indexFile);
  }

  /** Why the index could not be saved, if it could not (the store still works from memory); `code` is the system error's. */
  get indexError(): NodeJS.ErrnoException | undefined {
    return this.#indexError;
  }

  /** Every file that is not a usable task, with the line and the reason. */
  get problems(): TaskProblem[] {
    const s = this.#s;
    const file = s.fileProblems.map(({ path: p, line, reason }) => ({ path: p, line, reason }));
    return [...file, ...s.derived.clashes].sort((a, b) => byCodePoint(a.path, b.path));
  }

  /**
   * Tasks that are listed but hold a value that does not fit: a status or priority outside the
   * configured lists, a date or a number that does not read as one (path, line of the key, reason).
   */
  get warnings(): TaskProblem[] {
    const s = this.#s;
    const t = s.table;
    const [bad, paths] = [t.col('bad'), t.col('path')];
    const status = offListTest(t, 'status', this.#rules.statuses);
    const priority = offListTest(t, 'priority', this.#rules.priorities);
    const out: TaskProblem[] = [];
    for (let i = 0; i < t.n; i++) {
      if (!(bad[i] > 0 || status.off(i) || priority.off(i)) || !s.engine.isVisible(i)) continue;
      const issues: { key: string; reason: string }[] = [];
      if (status.off(i)) issues.push({ key: 'status', reason: `status '${status.value(i)}' is not one of ${this.#rules.statuses.join(', ')}` });
      if (priority.off(i)) issues.push({ key: 'priority', reason: `priority '${priority.value(i)}' is not one of ${this.#rules.priorities.join(', ')}` });
      if (bad[i] > 0) issues.push(...typeWarnings(t.record(i)));
      const text = this.#headOf(paths[i]);
      for (const { key, reason } of issues) out.push({ path: paths[i], line: lineOfKey(text, key), reason });
    }
    return out;
  }

  /** The start of a task file's text ('' when it cannot be read now). */
  #headOf(rel: string): string {
    try {
      return this.#fs.readHead(this.#abs(rel)).text;
    } catch {
      return '';
    }
  }

  get size(): number {
    return this.#s.derived.counts.total;
  }

  /** Brings the store up to date with the folder; `persist` saves a changed index. */
  async refresh(persist = true): Promise<void> {
    const st = this.#fs.stat(this.dir);
    if (!st) throw usageError('TASK_DIR_MISSING', `task folder ${this.dir} does not exist`, 'Pass --dir <path>, or set tasks.dir in the config.');
    if (!st.isDir) throw usageError('TASK_DIR_NOT_FOLDER', `task folder ${this.dir} is not a folder`, 'Pass --dir <folder> (the folder that holds the task files), or set tasks.dir in the config.');
    const prior = this.#state;
    if (prior) {
      const base = { table: prior.table, problems: prior.fileProblems, dirs: prior.dirs, indexMtime: prior.table.reader?.mtimeMs ?? 0 };
      await this.#update(base, prior.derived, persist);
      return;
    }
    const reader = this.#indexFile && !this.#rebuild ? IndexReader.open(this.#indexFile, this.dir) : undefined;
    if (this.#indexFile) this.#indexOutcome = this.#rebuild ? 'refresh' : reader ? 'hit' : 'miss';
    this.#rebuild = false;
    if (reader) {
      this.#readers.add(reader);
      const table = new TaskTable(reader.meta.n, { reader, repair: this.#repair });
      try {
        await this.#update({ table, problems: reader.meta.problems, dirs: reader.meta.dirs, indexMtime: reader.mtimeMs }, reader.meta.derived as Derived, persist, reader);
        if (table.repaired) this.#indexOutcome = 'miss';
        return;
      } catch (err) {
        // only the path column cannot be repaired in place: start as if there were no index
        if (!(err instanceof IndexCorruptError)) throw err;
        this.#repair.corrupt(reader);
        this.#indexOutcome = 'miss';
      }
    }
    await this.#update({ problems: [], dirs: [], indexMtime: 0 }, undefined, persist);
  }

  /** Lists and scans the folder against `base` (`derived` is base's), then sets the state and saves what changed. */
  async #update(base: ScanBase, derivedBefore: Derived | undefined, persist: boolean, reader?: IndexReader): Promise<void> {
    const listing = listFolder(this.dir, this.#fs, base);
    const scan = await scanChanges(this.dir, this.#fs, listing, base);
    this.#lastReads = scan.reads;
    if (reader && scan.changed) this.#indexOutcome = 'stale';
    if (!scan.changed && base.table) {
      // a table repaired from the files holds what the index held, so the derived data still fits
      this.#setState(base.table, derivedBefore!, scan.problems, listing.dirs);
      if (persist && (this.#indexCorrupt || (reader && !sameDirs(listing.dirs, base.dirs)))) this.#save(base.table, derivedBefore!, scan.problems, listing.dirs);
      return;
    }
    const cols = columnsOf(scan.rows);
    const recOff: number[] = [];
    const recLen: number[] = [];
    const recCrc: number[] = [];
    const fresh: (string | undefined)[] = [];
    for (const r of scan.records) {
      if (typeof r === 'string') {
        fresh.push(r);
        recOff.push(0);
        recLen.push(0);
        recCrc.push(0);
      } else {
        fresh.push(undefined);
        recOff.push(r[0]);
        recLen.push(r[1]);
        recCrc.push(r[2]);
      }
    }
    const source = base.table?.reader;
    const table = new TaskTable(scan.rows.length, { reader: source, cols, recOff, recLen, recCrc, fresh, repair: this.#repair });
    const derived = derive(table, (p) => idLine(this.dir, this.#fs, p));
    this.#setState(table, derived, scan.problems, listing.dirs);
    if (persist) this.#save(table, derived, scan.problems, listing.dirs);
  }

  get #s(): State {
    if (!this.#state) throw new Error('task store used before refresh()');
    return this.#state;
  }

  #setState(table: TaskTable, derived: Derived, fileProblems: IndexedProblem[], dirs: [string, number][]): void {
    this.#state = { table, derived, fileProblems, dirs, engine: new QueryEngine(table, derived, this.#rules) };
  }

  /** Writes the index (records carried over byte for byte from the old one) and re-points the table at it. */
  #save(table: TaskTable, derived: Derived, problems: IndexedProblem[], dirs: [string, number][]): void {
    if (!this.#indexFile) return;
    let writer: IndexWriter | undefined;
    try {
      writer = new IndexWriter(this.#indexFile);
      // columns first: one that fails its checksum makes the table read the files again, records included
      const wasRepaired = table.repaired;
      let values = COLUMN_NAMES.map((name) => table.col(name));
      if (table.repaired !== wasRepaired) values = COLUMN_NAMES.map((name) => table.col(name));
      const recOff: number[] = [];
      const recLen: number[] = [];
      const recCrc: number[] = [];
      // Unchanged records that sit next to each other in the old index are copied as one range.
      let runFrom = -1;
      let runStart = 0;
      let runEnd = 0;
      const copyRun = () => {
        if (runFrom === -1) return;
        const [at] = writer!.appendFrom(table.reader!, runStart, runEnd - runStart);
        for (let k = runFrom; k < recOff.length; k++) recOff[k] = at + (recOff[k] - runStart);
        runFrom = -1;
      };
      for (let i = 0; i < table.n; i++) {
        const range = table.indexedRange(i);
        if (range) {
          if (runFrom !== -1 && range[0] !== runEnd) copyRun();
          if (runFrom === -1) [runFrom, runStart, runEnd] = [i, range[0], range[0]];
          recOff.push(range[0]);
          recLen.push(range[1]);
          recCrc.push(range[2]);
          runEnd = range[0] + range[1];
          continue;
        }
        copyRun();
        const [off, len, crc] = writer.appendRecord(table.recordText(i));
        recOff.push(off);
        recLen.push(len);
        recCrc.push(crc);
      }
      copyRun();
      const cols: Record<string, { kind: ColumnKind; values: ArrayLike<unknown> }> = {
        recOff: { kind: 'f64', values: recOff },
        recLen: { kind: 'f64', values: recLen },
        recCrc: { kind: 'f64', values: recCrc },
      };
      const inMemory: Partial<Columns> = {};
      COLUMN_NAMES.forEach((name, k) => {
        cols[name] = { kind: COLUMN_KINDS[name], values: values[k] };
        (inMemory as Record<string, unknown>)[name] = values[k];
      });
      const reader = writer.finish({ v: INDEX_VERSION, dir: this.dir, n: table.n, dirs, problems, derived }, cols);
      writer = undefined;
      const next = new TaskTable(table.n, { reader, cols: inMemory, recOff, recLen, recCrc, repair: this.#repair });
      this.#readers.add(reader);
      this.#setState(next, derived, problems, dirs);
      this.#indexError = undefined;
      this.#indexCorrupt = false;
    } catch (err) {
      writer?.abort();
      this.#indexError = err as NodeJS.ErrnoException; // shown through cacheDirUnusable, by its code
    }
  }

  /** Matching row numbers (sorted, paged): the query without building records. */
  query(q: TaskQuery = {}): number[] {
    const s = this.#s;
    return s.engine.rows(q, (row, needle) => this.#body(s.table.col('path')[row]).toLowerCase().includes(needle));
  }

  /** Matching tasks as records, read lazily one by one. */
  *list(q: TaskQuery = {}): Generator<TaskRecord> {
    yield* this.#s.table.records(this.query(q));
  }

  /** The same tasks as their JSON text, for output that is JSON anyway (no parse, no stringify). */
  *listText(q: TaskQuery = {}): Generator<string> {
    yield* this.#s.table.recordTexts(this.query(q));
  }

  /** A task with its body, or undefined. */
  get(id: string): TaskDetail | undefined {
    const row = this.#rowOf(id);
    if (row === undefined) return undefined;
    const s = this.#s;
    const rec = s.table.record(row);
    return { ...rec, body: this.#body(rec.path) };
  }

  /** The version of a task's file as it is now (for `set(..., { ifVersion })`). */
  async version(id: string): Promise<string | undefined> {
    const row = this.#rowOf(id);
    if (row === undefined) return undefined;
    const { versionOf } = await import('./write.js');
    return versionOf(this.#fs.readFile(this.#abs(this.#s.table.col('path')[row])));
  }

  /** Ids of the open (or missing) tasks that `id` waits for. */
  blockedBy(id: string): string[] {
    const row = this.#rowOf(id);
    if (row === undefined || !this.#s.engine.isBlocked(row)) return [];
    const table = this.#s.table;
    return unmetDependencies(table.col('deps')[row], (d) => this.#rowOf(d), table.col('status'));
  }

  /** Dependency cycles, each as its sorted ids. */
  get cycles(): string[][] {
    return this.#s.derived.cycles;
  }

  /**
   * The counts of `tasks stats`: of every task (derived once per change of the folder), or of the
   * tasks a filter matches (sort and paging ignored), counted now. Cycles and missing dependencies
   * are then those that involve a matching task; problems are always the folder's.
   */
  stats(filter?: TaskQuery): TaskStats {
    const s = this.#s;
    const d = s.derived;
    const ids = s.table.col('id');
    // the rows counted: every visible task, or those the filter matches (counts made now)
    let matched: Uint8Array | undefined;
    if (filter && isFiltered(filter)) {
      matched = new Uint8Array(s.table.n);
      for (const r of this.query({ ...filter, sort: undefined, reverse: false, limit: undefined, offset: undefined })) matched[r] = 1;
    }
    const counted = (r: number) => (matched ? matched[r] === 1 : s.engine.isVisible(r));
    const has = (id: string) => !matched || matched[this.#rowOf(id) ?? -1] === 1;
    return {
      ...(matched ? countTasks(s.table, matched) : d.counts),
      overdue: overdueIds(s.table, counted, this.#clock.now()),
      blocked: d.blocked.filter(counted).map((r) => ids[r]),
      cycles: d.cycles.filter((c) => c.some(has)),
      missingDependencies: d.missing.filter((m) => has(m.id)),
      problems: this.problems.length,
    };
  }

  /** Creates a task file `<id>.md`; the id is a slug of the title, made unique in the folder. */
  async add(fields: Record<string, unknown>, body = ''): Promise<TaskRecord> {
    const [YAML, { renderNewTask }, { createExclusive }, { slugFor }] = await Promise.all([loadYaml(), import('./edit.js'), import('./write.js'), import('./slug.js')]);
    const now = new Date(this.#clock.now()).toISOString();
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) values[k] = coerceField(k, v, this.#rules);
    if (typeof values.title !== 'string' || values.title.trim() === '') {
      throw usageError('TASK_NO_TITLE', 'a new task needs a title', 'Pass --title "..." or title=...');
    }
    const full: Record<string, unknown> = {
      id: undefined, title: values.title, description: '', agent: null, status: this.#rules.statuses[0],
      priority: this.#rules.priorities.includes('medium') ? 'medium' : this.#rules.priorities[0],
      created_at: now, updated_at: now, due_date: null, dependencies: [], tags: [], notes: '',
      estimated_hours: null, actual_hours: null, assignee: null, ...values,
    };
    const explicitId = typeof values.id === 'string' && values.id !== '';
    const base = explicitId ? (values.id as string) : slugFor(values.title as string);
    const known = new Set(this.#s.table.col('id'));
    for (let n = 1; n < 10_000; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      if (known.has(id)) {
        if (explicitId) break;
        continue;
      }
      full.id = id;
      const rel = `${id}.md`;
      if (createExclusive(this.#abs(rel), renderNewTask(YAML, full, body))) {
        await this.refresh();
        return this.#s.table.record(this.#rowOf(id)!);
      }
      if (explicitId) break;
    }
    throw usageError('TASK_ID_TAKEN', `a task with id '${base}' already exists`, 'Choose another id, or use `tasks set` to change the existing task.');
  }

  /**
   * Changes keys of a task and bumps `updated_at`. Refuses (TASK_CONFLICT) when the file changed
   * since `ifVersion` (or, without it, since this call read it).
   */
  async set(id: string, changes: Record<string, unknown>, opts: { ifVersion?: string } = {}): Promise<TaskRecord> {
    const row = this.#rowOf(id);
    if (row === undefined) throw this.notFound(id);
    if (Object.keys(changes).length === 0) throw usageError('TASK_NO_CHANGES', 'nothing to change', 'Give key=value pairs, e.g. status=done.');
    if ('id' in changes) throw usageError('TASK_BAD_KEY', 'the id of a task cannot be changed with set', 'Create a new task with `tasks add --id ...` instead.');
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(changes)) values[k] = coerceField(k, v, this.#rules);
    if (!('updated_at' in values)) values.updated_at = new Date(this.#clock.now()).toISOString();
    const rel = this.#s.table.col('path')[row];
    const file = this.#abs(rel);
    const [YAML, { applyChanges }, { replaceIfUnchanged, versionOf }] = await Promise.all([loadYaml(), import('./edit.js'), import('./write.js')]);
    let expected = opts.ifVersion;
    try {
      expected ??= versionOf(this.#fs.readFile(file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw runtimeError('TASK_CONFLICT', `task '${id}' was removed while being changed`, 'Run `tasks ls` to see the current tasks.');
    }
    await replaceIfUnchanged(file, expected, (current) => applyChanges(YAML, current, values, rel), id);
    await this.refresh(false);
    const after = this.#rowOf(id);
    if (after === undefined) throw runtimeError('TASK_INVALID', `task '${id}' is no longer readable after the change`, `Check ${file}.`);
    return this.#s.table.record(after);
  }

  /** TASK_NOT_FOUND, pointing at `<id>.md` when that file exists but is not a valid task. */
  notFound(id: string): Error {
    const bad = this.problems.find((p) => p.path === `${id}.md` || p.path.endsWith(`/${id}.md`));
    const hint = bad ? `${bad.path} could not be read as a task (line ${bad.line}: ${bad.reason}); fix it first.` : 'Run `tasks ls` to see the ids.';
    return usageError('TASK_NOT_FOUND', `no task with id '${id}' in ${this.dir}`, hint);
  }

  /** Change records as files are added, changed or removed, until `signal` aborts. */
  async *watch(signal: AbortSignal, onProblem?: (p: TaskProblem) => void): AsyncGenerator<TaskChange> {
    const { watchStore } = await import('./watch.js');
    yield* watchStore(this, signal, onProblem);
  }

  /** Rows whose file is new or different, and tasks that went away, since `before`. */
  diffSince(before: { table: TaskTable }): TaskChange[] {
    const now = this.#s.table;
    const a = before.table;
    const key = (t: TaskTable, i: number) => `${t.col('size')[i]}:${t.col('mtime')[i]}`;
    const oldRows = new Map(a.col('path').map((p, i) => [p, i]));
    const out: TaskChange[] = [];
    now.col('path').forEach((p, i) => {
      const j = oldRows.get(p);
      oldRows.delete(p);
      if (j === undefined) out.push({ event: 'added', id: now.col('id')[i], task: now.record(i) });
      else if (key(a, j) !== key(now, i) && a.recordText(j) !== now.recordText(i)) out.push({ event: 'changed', id: now.col('id')[i], task: now.record(i) });
    });
    for (const j of oldRows.values()) out.push({ event: 'removed', id: a.col('id')[j], task: a.record(j) });
    return out;
  }

  /** The current table, for diffing across a refresh. */
  snapshot(): { table: TaskTable } {
    return { table: this.#s.table };
  }

  close(): void {
    for (const r of this.#readers) r.close();
    this.#readers.clear();
  }

  #rowOf(id: string): number | undefined {
    return this.#s.engine.rowOf(id);
  }

  #abs(rel: string): string {
    return path.join(this.dir, rel);
  }

  #body(rel: string): string {
    const text = this.#fs.readFile(this.#abs(rel)).toString('utf8');
    const split = splitFrontMatter(text);
    return typeof split === 'string' ? '' : text.slice(split.bodyStart);
  }
}

function sameDirs(a: [string, number][], b: [string, number][]): boolean {
  return a.length === b.length && a.every(([d, m], i) => b[i][0] === d && b[i][1] === m);
}

/**
 * Which rows hold a value of a few-valued column outside `allowed` (null is never off the list).
 * From the index's dictionary codes when the column is still stored that way: the few distinct
 * values are checked once, and no string is decoded per row on a listing that never asked for them.
 */
function offListTest(t: TaskTable, name: 'status' | 'priority', allowed: readonly string[]): { off(i: number): boolean; value(i: number): string | null } {
  const ok = new Set(allowed);
  const stored = t.codes(name);
  if (stored) {
    const offCode = stored.dict.map((v) => v !== null && !ok.has(v));
    return { off: (i) => offCode[stored.codes[i]], value: (i) => stored.dict[stored.codes[i]] };
  }
  const values = t.col(name);
  return { off: (i) => values[i] !== null && !ok.has(values[i]!), value: (i) => values[i] };
}
