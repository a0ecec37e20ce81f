// Shapes shared by the task store: what a query asks, what a file problem says, what stats hold.

import type { Clock } from '../util/clock.js';

/** A task as records carry it: the front matter's own keys plus `path` (relative to the folder). */
export type TaskRecord = Record<string, unknown> & { id: string; path: string };

/** A task with its markdown body and a version token for optimistic writes. */
export type TaskDetail = TaskRecord & { body: string };

/** A file that could not be used as a task: reported, never fatal to the others. */
export interface TaskProblem {
  path: string;
  /** 1-based line in the file the problem is on (1 when it concerns the whole file). */
  line: number;
  reason: string;
}

export interface TaskQuery {
  /** Any of these values (each option is an OR list). */
  status?: string[];
  agent?: string[];
  assignee?: string[];
  priority?: string[];
  tag?: string[];
  /** Epoch ms: due strictly before / after. */
  dueBefore?: number;
  dueAfter?: number;
  /** Only tasks blocked by an unfinished dependency (true) or only unblocked ones (false). */
  blocked?: boolean;
  /** Case-insensitive substring of title, description or body. */
  text?: string;
  /** A front matter key; dates, numbers, status and priority compare by their meaning. */
  sort?: string;
  reverse?: boolean;
  limit?: number;
  offset?: number;
}

/** What the store reads the disk through; tests count calls on it. */
export interface TaskFs {
  readdir(dir: string): { name: string; isDir: boolean }[];
  stat(path: string): { size: number; mtimeMs: number; isDir: boolean } | undefined;
  /**
   * Size and mtime of `prefix + names[i]` into `size[i]` and `mtime[i]` (both -1 when the file is
   * gone or is a directory): the per-file validation of a warm start, with no object per file.
   */
  statFiles(prefix: string, names: readonly string[], size: Float64Array, mtime: Float64Array): void;
  /** Reads the start of a file, at least up to the end of its front matter when it has one. */
  readHead(path: string): { text: string; size: number; mtimeMs: number; binary: boolean };
  readFile(path: string): Buffer;
}

export interface TaskStoreOptions {
  /** The task folder. */
  dir: string;
  /** Where the persisted index goes (`<cacheDir>/tasks/<hash>.idx`); no persistence when absent. */
  cacheDir?: string;
  /** Ignore the persisted index and read every file again (`--refresh`); the new index is saved. */
  rebuild?: boolean;
  clock?: Clock;
  /** Allowed statuses, in workflow order (the first is the default for `add`). */
  statuses?: string[];
  /** Allowed priorities, lowest first. */
  priorities?: string[];
  fs?: TaskFs;
}

export interface HoursByAgent {
  estimated: number;
  actual: number;
  ratio: number | null;
}

/** The counts behind `tasks stats`, derived once per change of the folder. */
export interface TaskCounts {
  total: number;
  byStatus: Record<string, number>;
  byAgent: Record<string, number>;
  byPriority: Record<string, number>;
  byTag: Record<string, number>;
  hours: { estimated: number; actual: number; ratio: number | null; byAgent: Record<string, HoursByAgent> };
}

export interface TaskStats extends TaskCounts {
  overdue: string[];
  blocked: string[];
  cycles: string[][];
  missingDependencies: { id: string; missing: string }[];
  problems: number;
}

export interface TaskChange {
  event: 'added' | 'changed' | 'removed';
  id: string;
  task: TaskRecord;
}
