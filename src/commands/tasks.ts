// `strata tasks ...`: markdown task files with YAML front matter, through the indexed store in
// src/tasks. This file stays light to import: the store is loaded inside `run`, and the YAML
// parser and chokidar only on the paths that need them.

import path from 'node:path';
import { cacheDirUnusable } from '../cache/dir.js';
import type { CommandContext, CommandDef, OptionDef, Rec } from '../cli/types.js';
import { runtimeError, usageError } from '../errors.js';
import { publishCache } from '../metrics/channels.js';
import { JsonText, wantsJsonText } from '../output/json-text.js';
import type { TaskStore } from '../tasks/store.js';
import type { TaskProblem, TaskQuery, TaskStats } from '../tasks/types.js';

const DIR: OptionDef = { flags: '--dir <path>', summary: 'Task folder (default: tasks.dir from the config, ./tasks)', complete: 'dir' };
const STRICT: OptionDef = { flags: '--strict', summary: 'Exit 1 when any file in the folder is not a valid task, or a value does not fit', type: 'boolean' };

/** Which tasks: `ls` lists them, `stats` counts them. */
const MATCH: OptionDef[] = [
  { flags: '--status <status>', summary: 'Only these statuses (comma list)', type: 'list' },
  { flags: '--agent <agent>', summary: 'Only these agents (comma list)', type: 'list' },
  { flags: '--assignee <name>', summary: 'Only these assignees (comma list)', type: 'list' },
  { flags: '--priority <priority>', summary: 'Only these priorities (comma list)', type: 'list' },
  { flags: '--tag <tag>', summary: 'Only tasks with any of these tags (comma list, repeatable)', type: 'list', repeatable: true },
  { flags: '--due-before <date>', summary: 'Due strictly before this date (ISO, e.g. 2025-08-01)' },
  { flags: '--due-after <date>', summary: 'Due strictly after this date (a day means after its end)' },
  { flags: '--blocked', summary: 'Only tasks waiting on an unfinished dependency', type: 'boolean' },
  { flags: '--text <text>', summary: 'Case-insensitive text in the title, description or body' },
];

const ORDER: OptionDef[] = [
  { flags: '--sort <field>', summary: 'Sort by a front matter key (dates, numbers, status and priority by meaning)' },
  { flags: '--reverse', summary: 'Reverse the order', type: 'boolean' },
  { flags: '--limit <n>', summary: 'At most n tasks', type: 'number' },
  { flags: '--offset <n>', summary: 'Skip the first n tasks', type: 'number' },
];

/** The store and the field parsers, imported together: one round of module loading, not two. */
const loadTasks = () => Promise.all([import('../tasks/store.js'), import('../tasks/fields.js')]);

async function open(ctx: CommandContext): Promise<TaskStore> {
  const [{ openTaskStore }] = await loadTasks();
  const dir = path.resolve(ctx.io.cwd, ctx.opts.dir ?? ctx.config.tasks.dir);
  const mode = ctx.globals.cacheMode;
  const store = await openTaskStore({
    dir,
    // --no-cache: the index is neither read nor written; --refresh: every file is read again
    cacheDir: mode === 'no-cache' ? undefined : ctx.config.cache.dir,
    rebuild: mode === 'refresh',
    statuses: ctx.config.tasks.statuses,
    priorities: ctx.config.tasks.priorities,
  });
  // the cache dir's one warning (the usage log gives the same text): the tasks still work, from the files
  if (store.indexError) ctx.warn(cacheDirUnusable(ctx.config.cache.dir, store.indexError));
  // the index is the tasks' entry in the disk tier: --stats and the usage log see how it served
  if (store.indexKey && store.indexOutcome) publishCache({ tier: 'disk', outcome: store.indexOutcome, key: store.indexKey });
  return store;
}

const BAD_FILE = { code: 'TASK_FILE_INVALID', hint: 'Fix or move the file; the other tasks are unaffected.' };
const BAD_VALUE = {
  code: 'TASK_FIELD_INVALID',
  hint: 'The task is still listed, its record as written; a date or number that does not read counts as missing for filters, sorting and stats. Fix the file, or change tasks.statuses / tasks.priorities in the config.',
};

/** An unusable file (BAD_FILE) or a listed task's value that does not fit (BAD_VALUE), as an error record on stderr. */
function reportProblem(ctx: CommandContext, p: TaskProblem, kind = BAD_FILE): void {
  ctx.reportError(runtimeError(kind.code, `${p.path}:${p.line}: ${p.reason}`, kind.hint), { path: p.path, line: p.line, reason: p.reason });
}

/** Reports each unusable file and each value that does not fit; with --strict, fails once all were reported. */
function reportProblems(ctx: CommandContext, store: TaskStore): void {
  const problems = store.problems;
  const warnings = store.warnings;
  for (const p of problems) reportProblem(ctx, p);
  for (const w of warnings) reportProblem(ctx, w, BAD_VALUE);
  if (ctx.opts.strict && problems.length + warnings.length > 0) {
    const what = [problems.length && `${problems.length} file(s) are not valid tasks`, warnings.length && `${warnings.length} value(s) do not fit`].filter(Boolean).join(', ');
    ctx.failAtEnd(runtimeError('TASK_FILES_INVALID', `in ${store.dir}: ${what}`, 'See the errors above, or drop --strict to list the valid tasks only.'));
  }
}

function listOpt(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(','));
  const out = parts.map((s) => s.trim()).filter(Boolean);
  return out.length > 0 ? out : undefined;
}

function count(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw usageError('TASK_BAD_NUMBER', `--${name} expects a whole number >= 0, got '${v}'`, `Pass e.g. --${name} 20.`);
  return n;
}

/** A --status or --priority value outside the configured list matches only files that say it: say so once. */
function warnOffList(ctx: CommandContext, flag: string, values: string[] | undefined, allowed: readonly string[]): void {
  const off = (values ?? []).filter((v) => !allowed.includes(v));
  if (off.length > 0) ctx.warn(`--${flag} ${off.map((v) => `'${v}'`).join(', ')} is not one of ${allowed.join(', ')}: only tasks whose file says exactly that match`);
}

async function queryOf(ctx: CommandContext): Promise<TaskQuery> {
  const [, { parseDateBound }] = await loadTasks();
  const o = ctx.opts;
  const [status, priority] = [listOpt(o.status), listOpt(o.priority)];
  warnOffList(ctx, 'status', status, ctx.config.tasks.statuses);
  warnOffList(ctx, 'priority', priority, ctx.config.tasks.priorities);
  return {
    status,
    agent: listOpt(o.agent),
    assignee: listOpt(o.assignee),
    priority,
    tag: listOpt(o.tag),
    dueBefore: o.dueBefore === undefined ? undefined : parseDateBound('due-before', String(o.dueBefore), false),
    dueAfter: o.dueAfter === undefined ? undefined : parseDateBound('due-after', String(o.dueAfter), true),
    blocked: o.blocked ? true : undefined,
    text: o.text === undefined ? undefined : String(o.text),
    sort: o.sort,
    reverse: Boolean(o.reverse),
    limit: count('limit', o.limit),
    offset: count('offset', o.offset),
  };
}

/** `key=value` words into a map (a key given twice keeps the last value). */
function pairs(words: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words ?? []) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw usageError('TASK_BAD_PAIR', `'${w}' is not key=value`, 'Write changes as key=value, e.g. status=done tags=cli,aws.');
    out[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return out;
}

function statsRecord(s: TaskStats): Rec {
  return {
    total: s.total,
    by_status: s.byStatus,
    by_agent: s.byAgent,
    by_priority: s.byPriority,
    by_tag: s.byTag,
    hours: { estimated: s.hours.estimated, actual: s.hours.actual, ratio: s.hours.ratio, by_agent: s.hours.byAgent },
    overdue: s.overdue,
    blocked: s.blocked,
    cycles: s.cycles,
    missing_dependencies: s.missingDependencies,
    problems: s.problems,
  };
}

const ls: CommandDef = {
  name: 'tasks ls',
  summary: 'List tasks, filtered, sorted and paged; bad files are reported, good ones still listed',
  options: [DIR, ...MATCH, ...ORDER, STRICT],
  output: 'task records: the front matter keys (id, title, status, agent, priority, tags, due_date, ...) plus path',
  tolerant: true,
  columns: ['id', 'status', 'priority', 'agent', 'assignee', 'due_date', 'title'],
  examples: [
    {
      summary: 'Text search (title, description, body) narrowed to one agent',
      argv: ['tasks', 'ls', '--dir', 'examples/tasks', '--text', 'IAM access keys', '--agent', 'OPSWARDEN'],
      expected: [
        {
          id: 'rotate-iam-access-keys',
          title: 'Rotate IAM access keys of the CI user',
          description: "The CI user's keys are older than 90 days; rotate them and update the pipeline secrets.\n",
          agent: 'OPSWARDEN',
          status: 'todo',
          priority: 'critical',
          created_at: '2025-10-01T09:28:00+00:00',
          updated_at: '2025-10-01T17:16:00+00:00',
          due_date: '2025-10-01',
          dependencies: [],
          tags: ['aws', 'security'],
          notes: '',
          estimated_hours: 1,
          actual_hours: null,
          assignee: 'li',
          path: 'rotate-iam-access-keys.md',
        },
      ],
    },
    {
      summary: 'Critical tasks of one agent, by due date',
      argv: ['tasks', 'ls', '--dir', 'examples/tasks', '--agent', 'OPSWARDEN', '--priority', 'critical', '--sort', 'due_date'],
    },
    {
      summary: 'Blocked tasks, fields picked by the next verb',
      argv: ['tasks', 'ls', '--dir', 'examples/tasks', '--blocked', '--sort', 'due_date'],
    },
  ],
  async *run(ctx) {
    const query = await queryOf(ctx);
    const store = await open(ctx);
    try {
      for (const c of store.cycles) ctx.warn(`dependency cycle: ${c.join(' -> ')}`);
      if (wantsJsonText(ctx.globals.output)) {
        // JSON output: the index's record text goes out as it is (the renderers write JsonText verbatim)
        for (const text of store.listText(query)) yield new JsonText(text) as unknown as Rec;
      } else yield* store.list(query);
      reportProblems(ctx, store);
    } finally {
      store.close();
    }
  },
};

const show: CommandDef = {
  name: 'tasks show',
  summary: 'Show one task with its markdown body and what blocks it',
  args: [{ name: 'id', summary: 'Task id', required: true, complete: 'task-id' }],
  options: [DIR],
  output: 'one task record plus body and blocked_by',
  examples: [{ summary: 'Show a task', argv: ['tasks', 'show', 'rotate-iam-access-keys', '--dir', 'examples/tasks'] }],
  async *run(ctx) {
    const store = await open(ctx);
    try {
      const task = store.get(String(ctx.args.id));
      if (!task) throw store.notFound(String(ctx.args.id));
      const { body, ...rest } = task;
      yield { ...rest, blocked_by: store.blockedBy(task.id), body };
    } finally {
      store.close();
    }
  },
};

const add: CommandDef = {
  name: 'tasks add',
  summary: 'Create a task file (<id>.md) from flags and/or key=value pairs; the id is a slug of the title',
  args: [{ name: 'fields', summary: 'More front matter as key=value (lists comma-separated)', variadic: true }],
  options: [
    DIR,
    { flags: '--title <title>', summary: 'Title (required, here or as title=...)' },
    { flags: '--id <id>', summary: 'Id to use instead of a slug of the title' },
    { flags: '--description <text>', summary: 'One-paragraph description' },
    { flags: '--status <status>', summary: 'Status (default: the first configured, todo)' },
    { flags: '--priority <priority>', summary: 'Priority (default: medium)' },
    { flags: '--agent <agent>', summary: 'Agent' },
    { flags: '--assignee <name>', summary: 'Assignee' },
    { flags: '--tag <tag>', summary: 'Tag (repeatable or comma list)', type: 'list', repeatable: true },
    { flags: '--depends-on <id>', summary: 'Dependency id (repeatable or comma list)', type: 'list', repeatable: true },
    { flags: '--due <date>', summary: 'Due date (ISO)' },
    { flags: '--estimate <hours>', summary: 'Estimated hours' },
    { flags: '--body <markdown>', summary: 'Markdown body' },
  ],
  output: 'the new task record',
  description: 'Example: strata tasks add --title "Tune the S3 read-ahead" --tag s3,perf estimated_hours=3 (writes tasks/tune-the-s3-read-ahead.md).',
  examples: [
    {
      summary: 'An unknown status is refused before anything is written',
      argv: ['tasks', 'add', '--dir', 'examples/tasks', '--title', 'Anything', '--status', 'someday'],
      exitCode: 2,
    },
  ],
  async *run(ctx) {
    const o = ctx.opts;
    const fields: Record<string, unknown> = {
      title: o.title, id: o.id, description: o.description, status: o.status, priority: o.priority, agent: o.agent,
      assignee: o.assignee, tags: listOpt(o.tag), dependencies: listOpt(o.dependsOn), due_date: o.due, estimated_hours: o.estimate,
      ...pairs(ctx.args.fields),
    };
    const store = await open(ctx);
    try {
      yield await store.add(fields, o.body === undefined ? '' : String(o.body));
    } finally {
      store.close();
    }
  },
};

const set: CommandDef = {
  name: 'tasks set',
  summary: 'Change front matter keys of a task (updates updated_at); refuses if the file changed meanwhile',
  args: [
    { name: 'id', summary: 'Task id', required: true, complete: 'task-id' },
    { name: 'changes', summary: 'key=value pairs (lists comma-separated, empty or null clears)', required: true, variadic: true },
  ],
  options: [DIR],
  output: 'the changed task record',
  description: 'Example: strata tasks set tune-the-s3-read-ahead status=in_progress assignee=maya tags=s3,perf',
  examples: [
    {
      summary: 'A date that does not exist is refused and the file is left alone',
      argv: ['tasks', 'set', 'rotate-iam-access-keys', 'due_date=2026-02-30', '--dir', 'examples/tasks'],
      exitCode: 2,
    },
  ],
  async *run(ctx) {
    const store = await open(ctx);
    try {
      yield await store.set(String(ctx.args.id), pairs(ctx.args.changes));
    } finally {
      store.close();
    }
  },
};

const stats: CommandDef = {
  name: 'tasks stats',
  summary: 'Counts by status, agent, priority and tag; estimated vs actual hours; overdue, blocked, cycles',
  options: [DIR, ...MATCH, STRICT],
  tolerant: true,
  output: 'one record: total, by_status, by_agent, by_priority, by_tag, hours (estimated and actual sums; ratio = actual / estimated over the tasks that have both), overdue, blocked, cycles, missing_dependencies, problems',
  description: 'With filters (the same as tasks ls), counts the matching tasks only; problems are always the whole folder\'s.',
  examples: [
    { summary: 'Stats of the example folder', argv: ['tasks', 'stats', '--dir', 'examples/tasks'] },
    { summary: 'Stats of one agent\'s open work', argv: ['tasks', 'stats', '--dir', 'examples/tasks', '--agent', 'OPSWARDEN', '--status', 'todo,in_progress'] },
  ],
  async *run(ctx) {
    const query = await queryOf(ctx);
    const store = await open(ctx);
    try {
      yield statsRecord(store.stats(query));
      reportProblems(ctx, store);
    } finally {
      store.close();
    }
  },
};

const watch: CommandDef = {
  name: 'tasks watch',
  summary: 'Emit a change record whenever a task file is added, changed or removed, until interrupted',
  options: [DIR],
  output: 'change records: event (added|changed|removed), id, task',
  description: 'Runs until Ctrl-C (exit 130) or SIGTERM (exit 0). A file that is or becomes invalid is reported on stderr (path, line, reason); a task whose file turns invalid is also a removed record.',
  tolerant: true,
  endless: true,
  examples: [{ summary: 'stream changes to the example folder as NDJSON until stopped', argv: ['tasks', 'watch', '--dir', 'examples/tasks'], stopAfterMs: 1500 }],
  async *run(ctx) {
    const { Resources, stopSignalOf } = await import('../util/resources.js');
    const resources = new Resources();
    const store = await open(ctx);
    resources.register('task store and its file watcher', () => store.close());
    try {
      for await (const change of store.watch(ctx.signal, (p) => reportProblem(ctx, p))) yield { ...change };
    } finally {
      // on Ctrl-C / SIGTERM (or an error): release the watcher and save the index, within the deadline
      const report = await resources.shutdown({ signal: stopSignalOf(ctx.signal) });
      for (const f of report.failed) ctx.warn(`tasks watch: could not release ${f.name}: ${f.message}`);
    }
  },
};

export const tasksCommands: CommandDef[] = [ls, show, add, set, stats, watch];
