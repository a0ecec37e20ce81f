// Bringing the table up to date with the folder. Every file is validated by path, size and mtime
// against the index; only new or changed files are read (front matter only). A directory whose
// mtime is unchanged is not listed again (no entry can have been added, removed or renamed in
// it). Like git's "racily clean" rule, a file or directory modified within RACY_MS of the index
// being written is re-checked, since a change in the same clock tick would not move its mtime.

import path from 'node:path';
import { lineOfKey, loadYaml, loadYamlSync, parseTaskText, type YamlModule } from './front-matter.js';
import type { IndexedProblem } from './index-file.js';
import { recordJson, rowOf, type Row, type TaskTable } from './table.js';
import type { TaskFs } from './types.js';

/** Larger than the mtime granularity of common file systems (ext4 ticks ~4 ms, FAT 2 s). */
export const RACY_MS = 2000;

export interface Listing {
  /** Sorted folder-relative paths of `*.md` files. */
  paths: string[];
  /** Their size and mtime (-1: gone, or a directory); absent when nothing was stat'ed (all are read). */
  size?: Float64Array;
  mtime?: Float64Array;
  dirs: [string, number][];
}

export interface ScanBase {
  table?: TaskTable;
  problems: IndexedProblem[];
  dirs: [string, number][];
  /** The index's own mtime, for the racy check (0 when there is no index). */
  indexMtime: number;
}

/** Lists the folder, reusing the listing of directories whose mtime did not move. */
export function listFolder(root: string, fs: TaskFs, base: ScanBase): Listing {
  const oldDirs = new Map(base.dirs);
  const oldPaths = base.table ? base.table.col('path') : [];
  let grouped: Map<string, string[]> | undefined;
  /** Old files directly in `rel`; a flat folder (the common case) needs no grouping. */
  const oldFilesIn = (rel: string): string[] => {
    if (base.dirs.length === 1) return base.problems.length === 0 ? oldPaths : [...oldPaths, ...base.problems.map((p) => p.path)];
    if (!grouped) {
      grouped = new Map();
      for (const p of [...oldPaths, ...base.problems.map((q) => q.path)]) {
        const d = parentOf(p);
        let list = grouped.get(d);
        if (!list) grouped.set(d, (list = []));
        list.push(p);
      }
    }
    return grouped.get(rel) ?? [];
  };

  const names: string[] = [];
  const dirs: [string, number][] = [];
  let reusedAll = true;
  const visit = (rel: string) => {
    const abs = rel === '' ? root : path.join(root, rel);
    const st = fs.stat(abs);
    if (!st || !st.isDir) return;
    dirs.push([rel, st.mtimeMs]);
    const trusted = oldDirs.get(rel) === st.mtimeMs && st.mtimeMs < base.indexMtime - RACY_MS;
    if (trusted) {
      for (const p of oldFilesIn(rel)) names.push(p);
      for (const [d] of base.dirs) if (d !== rel && parentOf(d) === rel) visit(d);
      return;
    }
    reusedAll = false;
    for (const e of fs.readdir(abs)) {
      if (e.name.startsWith('.')) continue;
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDir) visit(child);
      else if (e.name.endsWith('.md')) names.push(child);
    }
  };
  visit('');
  if (!reusedAll || base.problems.length > 0 || dirs.length > 1) names.sort(byCodePoint);
  // Nothing to validate against: every file is read, and reading gives its size and mtime.
  if (!base.table && base.problems.length === 0) return { paths: names, dirs };
  const size = new Float64Array(names.length);
  const mtime = new Float64Array(names.length);
  fs.statFiles(root.endsWith('/') ? root : `${root}/`, names, size, mtime);
  return { paths: names, size, mtime, dirs };
}

function parentOf(rel: string): string {
  return rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ScanResult {
  changed: boolean;
  rows: Row[];
  /** Per row: the record JSON when read now, or the byte range (and checksum) in the old index. */
  records: (string | [number, number, number])[];
  problems: IndexedProblem[];
  /** How many files were read. */
  reads: number;
}

/** What to do with each listed file; a bare number is "keep old row j" (the common case, allocation-free). */
type Step =
  | number
  | { kind: 'problem'; problem: IndexedProblem }
  | { kind: 'task'; row: Row; json: string; j: number };

/**
 * Compares the listing with the base table and reads what changed. When nothing changed,
 * `changed` is false, `rows` is empty and the caller keeps the base table as it is.
 */
export async function scanChanges(root: string, fs: TaskFs, listing: Listing, base: ScanBase): Promise<ScanResult> {
  const t = base.table;
  const oldPath = t ? t.col('path') : [];
  const oldSize = t ? t.col('size') : [];
  const oldMtime = t ? t.col('mtime') : [];
  const oldProblems = new Map(base.problems.map((p) => [p.path, p]));
  const racyFrom = base.indexMtime - RACY_MS;

  const steps: Step[] = [];
  const { paths, size, mtime } = listing;
  let changed = false;
  let files = 0;
  let reads = 0;
  let yaml: YamlModule | undefined;
  let j = 0;
  for (let k = 0; k < paths.length; k++) {
    const file = paths[k];
    const fileSize = size ? size[k] : -1;
    const fileMtime = mtime ? mtime[k] : -1;
    if (size && fileSize < 0) continue;
    files++;
    while (j < oldPath.length && oldPath[j] < file) {
      changed = true;
      j++;
    }
    const same = j < oldPath.length && oldPath[j] === file;
    const at = same ? j++ : -1;
    const racy = fileMtime >= racyFrom;
    if (same && oldSize[at] === fileSize && oldMtime[at] === fileMtime && !racy) {
      steps.push(at);
      continue;
    }
    const prior = oldProblems.get(file);
    if (prior && prior.size === fileSize && prior.mtimeMs === fileMtime && !racy) {
      steps.push({ kind: 'problem', problem: prior });
      continue;
    }
    reads++;
    let head: ReturnType<TaskFs['readHead']>;
    try {
      head = fs.readHead(`${root}/${file}`);
    } catch (err) {
      changed = true;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      steps.push({ kind: 'problem', problem: { path: file, size: fileSize, mtimeMs: fileMtime, line: 1, reason: `cannot read: ${(err as Error).message}` } });
      continue;
    }
    let parsed = parseTaskText(head.text, head.binary, yaml);
    if (!parsed) {
      yaml = await loadYaml();
      parsed = parseTaskText(head.text, head.binary, yaml)!;
    }
    if ('problem' in parsed) {
      const problem = { path: file, size: head.size, mtimeMs: head.mtimeMs, ...parsed.problem };
      if (same || !prior || JSON.stringify(prior) !== JSON.stringify(problem)) changed = true;
      steps.push({ kind: 'problem', problem });
      continue;
    }
    const row = rowOf(file, head.size, head.mtimeMs, parsed.data);
    const json = recordJson(row, parsed.data);
    if (!(same && oldSize[at] === head.size && oldMtime[at] === head.mtimeMs && t!.recordText(at) === json)) changed = true;
    steps.push({ kind: 'task', row, json, j: at });
  }
  if (j < oldPath.length || files !== oldPath.length + base.problems.length) changed = true;

  const rows: Row[] = [];
  const records: (string | [number, number, number])[] = [];
  const problems: IndexedProblem[] = [];
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!changed) continue;
      rows.push(t!.row(step));
      records.push(t!.indexedRange(step) ?? t!.recordText(step));
    } else if (step.kind === 'problem') problems.push(step.problem);
    else if (!changed) continue;
    else {
      rows.push(step.row);
      records.push(step.json);
    }
  }
  return { changed, rows, records, problems, reads };
}

/**
 * One task file read again, synchronously (for a table whose index failed a checksum): its row and
 * record as a scan would make them, or undefined when it is gone or not a valid task now.
 */
export function rereadTask(root: string, fs: TaskFs, rel: string): { row: Row; json: string } | undefined {
  let head: ReturnType<TaskFs['readHead']>;
  try {
    head = fs.readHead(`${root}/${rel}`);
  } catch {
    return undefined;
  }
  const parsed = parseTaskText(head.text, head.binary) ?? parseTaskText(head.text, head.binary, loadYamlSync())!;
  if ('problem' in parsed) return undefined;
  const row = rowOf(rel, head.size, head.mtimeMs, parsed.data);
  return { row, json: recordJson(row, parsed.data) };
}

/** The line of the `id` key of a file, for reporting an id clash. */
export function idLine(root: string, fs: TaskFs, rel: string): number {
  try {
    return lineOfKey(fs.readHead(path.join(root, rel)).text, 'id');
  } catch {
    return 1;
  }
}

