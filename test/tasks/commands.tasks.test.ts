import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandContext, Rec } from '../../src/cli/types.js';
import { tasksCommands } from '../../src/commands/tasks.js';
import { cacheDirUnusable } from '../../src/cache/dir.js';
import { defaultConfig } from '../../src/config/schema.js';
import { StrataError } from '../../src/errors.js';
import { EXAMPLES, task, tempDir, writeTask } from './helpers.js';
import { PassThrough } from 'node:stream';
import { renderJson, renderNdjson } from '../../src/output/renderers.js';
import { Sink } from '../../src/output/sink.js';
import { JsonText } from '../../src/output/json-text.js';

/** What a renderer writes for `records`, as text. */
async function rendered(render: typeof renderJson, records: AsyncIterable<Rec>): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += c));
  const sink = new Sink(out);
  await render(records, sink, { tty: false });
  await sink.flush();
  return text;
}

function context(argsOpts: { args?: Record<string, unknown>; opts?: Record<string, unknown>; output?: string; cacheMode?: string; cacheDir?: string }, cwd: string) {
  const reported: { err: unknown; item?: Rec }[] = [];
  const failed: unknown[] = [];
  const warnings: string[] = [];
  const config = defaultConfig({}, tempDir('home'));
  config.cache.dir = argsOpts.cacheDir ?? tempDir('cache');
  const ctx = {
    args: argsOpts.args ?? {},
    opts: argsOpts.opts ?? {},
    globals: { output: argsOpts.output ?? 'table', cacheMode: argsOpts.cacheMode ?? 'default' },
    io: { cwd },
    signal: new AbortController().signal,
    config,
    warn: (m: string) => warnings.push(m),
    reportError: (err: unknown, item?: Rec) => reported.push({ err, item }),
    failAtEnd: (err: unknown) => failed.push(err),
  } as unknown as CommandContext;
  return { ctx, reported, failed, warnings };
}

async function collect(name: string, ctx: CommandContext): Promise<Rec[]> {
  const def = tasksCommands.find((c) => c.name === name)!;
  const out: Rec[] = [];
  for await (const r of await def.run(ctx)) out.push(r);
  return out;
}

describe('tasks commands', () => {
  it('ls for JSON output hands the index text straight to the renderer, the same bytes as the objects give', async () => {
    const root = path.resolve(EXAMPLES, '../..');
    const opts = { dir: 'examples/tasks', sort: 'id' };
    const objects = await collect('tasks ls', context({ opts }, root).ctx);
    expect(objects.length).toBeGreaterThan(5);
    for (const [output, render] of [['ndjson', renderNdjson], ['json', renderJson]] as const) {
      const def = tasksCommands.find((c) => c.name === 'tasks ls')!;
      const fromText = await rendered(render, await def.run(context({ opts, output }, root).ctx));
      expect(fromText).toBe(await rendered(render, (async function* () { yield* objects; })()));
      expect(fromText).not.toContain('[object Object]');
    }
    expect((await collect('tasks ls', context({ opts, output: 'ndjson' }, root).ctx))[0]).toBeInstanceOf(JsonText);
  });

  it('ls lists the example folder filtered and sorted, as plain records with path', async () => {
    const { ctx, reported } = context({ opts: { dir: 'examples/tasks', agent: ['OPSWARDEN'], priority: ['critical'], sort: 'id' } }, path.resolve(EXAMPLES, '../..'));
    const recs = await collect('tasks ls', ctx);
    expect(recs.map((r) => r.id)).toEqual(['least-privilege-policy', 'rotate-iam-access-keys', 'scheduler-limits']);
    expect(recs[1]).toMatchObject({ path: 'rotate-iam-access-keys.md', due_date: '2025-10-01', tags: ['aws', 'security'], estimated_hours: 1 });
    expect(reported).toEqual([]);
  });

  it('ls defaults to ./tasks from the config relative to the working directory and splits comma lists', async () => {
    const cwd = tempDir('cwd');
    fs.mkdirSync(path.join(cwd, 'tasks'));
    writeTask(path.join(cwd, 'tasks'), 'a.md', task('a', { tags: '[x, y]' }));
    writeTask(path.join(cwd, 'tasks'), 'b.md', task('b', { tags: '[z]', status: 'done' }));
    const { ctx } = context({ opts: { tag: ['y,z'], status: 'todo,done', limit: 5 } }, cwd);
    expect((await collect('tasks ls', ctx)).map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('ls lists good tasks, reports each bad file with path, line and reason, and fails at the end only with --strict', async () => {
    const dir = tempDir('bad');
    writeTask(dir, 'good.md', task('good'));
    writeTask(dir, 'bad.md', '---\n: : :\n---\n');
    const loose = context({ opts: { dir } }, '/');
    expect((await collect('tasks ls', loose.ctx)).map((r) => r.id)).toEqual(['good']);
    expect(loose.reported).toEqual([{ err: expect.any(StrataError), item: { path: 'bad.md', line: expect.any(Number), reason: expect.stringMatching(/invalid YAML/) } }]);

    expect(loose.failed).toEqual([]);

    const strict = context({ opts: { dir, strict: true } }, '/');
    expect((await collect('tasks ls', strict.ctx)).map((r) => r.id)).toEqual(['good']);
    expect(strict.failed).toEqual([expect.objectContaining({ code: 'TASK_FILES_INVALID', kind: 'runtime' })]);
    expect(strict.reported).toHaveLength(1);
  });

  it('ls lists a task whose values do not fit, and reports each (status/priority outside the lists, a date or number that does not read); --strict fails', async () => {
    const dir = tempDir('values');
    writeTask(dir, 'ok.md', task('ok'));
    writeTask(dir, 'odd.md', task('odd', { status: 'wip', priority: 'urgent', due_date: "'2020-13-45'", estimated_hours: 'lots', actual_hours: '2' }));
    const loose = context({ opts: { dir, sort: 'id' } }, '/');
    expect((await collect('tasks ls', loose.ctx)).map((r) => r.id)).toEqual(['odd', 'ok']);
    expect(loose.reported.map((r) => [(r.err as StrataError).code, r.item])).toEqual([
      ['TASK_FIELD_INVALID', { path: 'odd.md', line: 4, reason: "status 'wip' is not one of todo, in_progress, blocked, review, done, cancelled" }],
      ['TASK_FIELD_INVALID', { path: 'odd.md', line: 5, reason: "priority 'urgent' is not one of low, medium, high, critical" }],
      ['TASK_FIELD_INVALID', { path: 'odd.md', line: 6, reason: 'due_date "2020-13-45" is not a date (e.g. 2025-08-01)' }],
      ['TASK_FIELD_INVALID', { path: 'odd.md', line: 7, reason: 'estimated_hours "lots" is not a number of hours' }],
    ]);
    expect(loose.failed).toEqual([]);
    const strict = context({ opts: { dir, strict: true } }, '/');
    await collect('tasks ls', strict.ctx);
    expect(strict.failed).toEqual([expect.objectContaining({ code: 'TASK_FILES_INVALID', message: expect.stringMatching(/4 value\(s\) do not fit$/) })]);
    // a negative number of hours is reported and not counted
    writeTask(dir, 'neg.md', task('neg', { estimated_hours: '-3', actual_hours: '1' }));
    const [stats] = await collect('tasks stats', context({ opts: { dir, status: ['todo'] } }, '/').ctx);
    expect(stats.hours).toMatchObject({ estimated: 0, actual: 1 });
    fs.rmSync(path.join(dir, 'neg.md'));
    // a warm start (the index) reports the same
    const warm = context({ opts: { dir }, cacheDir: loose.ctx.config.cache.dir }, '/');
    await collect('tasks ls', warm.ctx);
    expect(warm.reported.map((r) => r.item)).toEqual(loose.reported.map((r) => r.item));
  });

  it('a value that does not fit stays in the record as written; date filters, sorting and stats treat it as missing', async () => {
    const dir = tempDir('as-written');
    writeTask(dir, 'ok.md', task('ok', { due_date: "'2025-03-01'", estimated_hours: '2' }));
    writeTask(dir, 'odd.md', task('odd', { status: '5', due_date: '2025-02-30', estimated_hours: 'lots' }));
    const ls = async (opts: Record<string, unknown>) => {
      const c = context({ opts: { dir, ...opts } }, '/');
      return { recs: await collect('tasks ls', c.ctx), reported: c.reported };
    };
    const { recs, reported } = await ls({ sort: 'id' });
    // the record is the front matter as written: a number stays a number, text stays text
    expect(recs[0]).toMatchObject({ id: 'odd', status: 5, due_date: '2025-02-30', estimated_hours: 'lots' });
    expect(reported.map((r) => [(r.err as StrataError).code, (r.err as StrataError).hint, r.item!.reason])).toEqual([
      ['TASK_FIELD_INVALID', expect.stringMatching(/record as written; a date or number that does not read counts as missing/), "status '5' is not one of todo, in_progress, blocked, review, done, cancelled"],
      ['TASK_FIELD_INVALID', expect.stringMatching(/as written/), 'due_date "2025-02-30" is not a date (e.g. 2025-08-01)'],
      ['TASK_FIELD_INVALID', expect.stringMatching(/as written/), 'estimated_hours "lots" is not a number of hours'],
    ]);
    const ids = async (opts: Record<string, unknown>) => (await ls(opts)).recs.map((r) => r.id);
    // the typed columns hold no value: never matched by a date filter, last in a sort either way
    expect(await ids({ dueBefore: '2100-01-01' })).toEqual(['ok']);
    expect(await ids({ dueAfter: '2000-01-01' })).toEqual(['ok']);
    for (const sort of ['due_date', 'estimated_hours']) {
      expect(await ids({ sort })).toEqual(['ok', 'odd']);
      expect(await ids({ sort, reverse: true })).toEqual(['ok', 'odd']);
    }
    // a status outside the list keeps its text: it can be asked for, and sorts after the configured ones
    expect(await ids({ status: '5' })).toEqual(['odd']);
    expect(await ids({ sort: 'status' })).toEqual(['ok', 'odd']);
    const [stats] = await collect('tasks stats', context({ opts: { dir } }, '/').ctx);
    expect(stats).toMatchObject({ total: 2, by_status: { todo: 1, '5': 1 }, hours: { estimated: 2 }, overdue: ['ok'] });
  });

  it('ls and stats warn once about a --status or --priority outside the configured lists, and still match files that say it', async () => {
    const dir = tempDir('off-list');
    writeTask(dir, 'odd.md', task('odd', { status: 'wip' }));
    writeTask(dir, 'ok.md', task('ok'));
    const ls = context({ opts: { dir, status: ['wip,bogus'], priority: ['medium'] } }, '/');
    expect((await collect('tasks ls', ls.ctx)).map((r) => r.id)).toEqual(['odd']);
    expect(ls.warnings).toEqual(["--status 'wip', 'bogus' is not one of todo, in_progress, blocked, review, done, cancelled: only tasks whose file says exactly that match"]);
    const stats = context({ opts: { dir, priority: ['urgent'] } }, '/');
    await collect('tasks stats', stats.ctx);
    expect(stats.warnings).toEqual(["--priority 'urgent' is not one of low, medium, high, critical: only tasks whose file says exactly that match"]);
  });

  it('ls refuses a bad date or count with a usage error naming the flag', async () => {
    for (const opts of [{ dueBefore: 'soon' }, { limit: -1 }]) {
      const { ctx } = context({ opts: { dir: EXAMPLES, ...opts } }, '/');
      await expect(collect('tasks ls', ctx)).rejects.toMatchObject({ kind: 'usage', message: expect.stringMatching(/--(due-before|limit)/) });
    }
  });

  it('show includes the body and what blocks the task; an unknown id is a usage error', async () => {
    const { ctx } = context({ args: { id: 'release-0-1' }, opts: { dir: EXAMPLES } }, '/');
    const [rec] = await collect('tasks show', ctx);
    expect(rec).toMatchObject({ id: 'release-0-1', blocked_by: ['e2e-cli-tests', 'startup-budget', 'least-privilege-policy'] });
    expect(rec.body).toMatch(/^\n## Task Description\n/);
    const missing = context({ args: { id: 'nope' }, opts: { dir: EXAMPLES } }, '/');
    await expect(collect('tasks show', missing.ctx)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND', kind: 'usage' });
  });

  it('add takes flags and key=value pairs; set changes keys and reports the record', async () => {
    const dir = tempDir('add');
    const added = await collect('tasks add', context({ args: { fields: ['estimated_hours=3', 'sprint=12'] }, opts: { dir, title: 'Tune the S3 read-ahead', tag: ['s3', 'perf'], priority: 'high' } }, '/').ctx);
    expect(added).toEqual([expect.objectContaining({ id: 'tune-the-s3-read-ahead', tags: ['s3', 'perf'], priority: 'high', estimated_hours: 3, sprint: 12 })]);
    const changed = await collect('tasks set', context({ args: { id: 'tune-the-s3-read-ahead', changes: ['status=in_progress', 'tags=s3'] } , opts: { dir } }, '/').ctx);
    expect(changed).toEqual([expect.objectContaining({ status: 'in_progress', tags: ['s3'] })]);
    await expect(collect('tasks set', context({ args: { id: 'tune-the-s3-read-ahead', changes: ['status'] }, opts: { dir } }, '/').ctx)).rejects.toMatchObject({ code: 'TASK_BAD_PAIR' });
  });

  it('add refuses an id that would name a file outside the folder, a hidden file or a path, and writes nothing', async () => {
    const parent = tempDir('add-id');
    const dir = path.join(parent, 'tasks');
    fs.mkdirSync(dir);
    for (const id of ['../evil', '.hidden', 'sub/x', 'back\\slash', 'bell\u0007', 'x'.repeat(201)]) {
      const { ctx } = context({ opts: { dir, title: 'Evil', id } }, '/');
      await expect(collect('tasks add', ctx)).rejects.toMatchObject({ code: 'TASK_BAD_ID', kind: 'usage', hint: expect.stringMatching(/--id/) });
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.readdirSync(parent)).toEqual(['tasks']);
    const ok = await collect('tasks add', context({ opts: { dir, title: 'Fine', id: 'x'.repeat(200) } }, '/').ctx);
    expect(ok[0]).toMatchObject({ id: 'x'.repeat(200), path: `${'x'.repeat(200)}.md` });
  });

  it('--no-cache neither reads nor writes the index, --refresh reads every file again and saves a new one', async () => {
    const dir = tempDir('modes');
    const file = writeTask(dir, 'a.md', task('a', { status: 'review' }));
    const cacheDir = tempDir('modes-cache');
    const ls = async (cacheMode: string) => (await collect('tasks ls', context({ opts: { dir }, cacheMode, cacheDir }, '/').ctx)).map((r) => r.status);
    expect(await ls('default')).toEqual(['review']);
    const indexes = () => fs.readdirSync(path.join(cacheDir, 'tasks'));
    const saved = indexes();
    expect(saved).toHaveLength(1);
    // an edit that keeps the size and the mtime: only reading the file again can see it
    const st = fs.statSync(file);
    fs.writeFileSync(file, task('a', { status: 'weiver' }));
    fs.utimesSync(file, st.atime, st.mtime);
    expect(await ls('default')).toEqual(['review']);
    const before = fs.statSync(path.join(cacheDir, 'tasks', saved[0])).mtimeMs;
    expect(await ls('no-cache')).toEqual(['weiver']);
    expect(fs.statSync(path.join(cacheDir, 'tasks', saved[0])).mtimeMs).toBe(before);
    expect(await ls('default')).toEqual(['review']);
    expect(await ls('refresh')).toEqual(['weiver']);
    expect(await ls('default')).toEqual(['weiver']);
    const fresh = context({ opts: { dir }, cacheMode: 'no-cache' }, '/');
    await collect('tasks ls', fresh.ctx);
    expect(fs.existsSync(path.join(fresh.ctx.config.cache.dir, 'tasks'))).toBe(false);
  });

  it('show or set of a task whose file is not a valid task points at the file; set of a file removed meanwhile is a conflict', async () => {
    const dir = tempDir('broken');
    writeTask(dir, 'broken.md', '---\nid: broken\ntitle: [unclosed\n---\n');
    writeTask(dir, 'ok.md', task('ok'));
    for (const [name, args] of [['tasks show', { id: 'broken' }], ['tasks set', { id: 'broken', changes: ['status=done'] }]] as const) {
      await expect(collect(name, context({ args, opts: { dir } }, '/').ctx)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND', kind: 'usage', hint: expect.stringMatching(/^broken\.md could not be read as a task \(line \d+: /) });
    }
    const { openTaskStore } = await import('../../src/tasks/store.js');
    const store = await openTaskStore({ dir });
    fs.rmSync(path.join(dir, 'ok.md'));
    await expect(store.set('ok', { status: 'done' })).rejects.toMatchObject({ code: 'TASK_CONFLICT', message: expect.stringMatching(/removed/) });
    store.close();
  });

  it('stats is one record with snake_case groups', async () => {
    const [rec] = await collect('tasks stats', context({ opts: { dir: EXAMPLES } }, '/').ctx);
    expect(rec).toMatchObject({ total: 50, problems: 0, cycles: [], missing_dependencies: [] });
    expect(Object.keys(rec)).toEqual(['total', 'by_status', 'by_agent', 'by_priority', 'by_tag', 'hours', 'overdue', 'blocked', 'cycles', 'missing_dependencies', 'problems']);
  });

  it('stats with filters counts the matching tasks only, with their overdue, blocked and hours', async () => {
    const [all] = await collect('tasks stats', context({ opts: { dir: EXAMPLES } }, '/').ctx);
    const [ops] = await collect('tasks stats', context({ opts: { dir: EXAMPLES, agent: ['OPSWARDEN'] } }, '/').ctx);
    const listed = await collect('tasks ls', context({ opts: { dir: EXAMPLES, agent: ['OPSWARDEN'] } }, '/').ctx);
    expect(ops.total).toBe(listed.length);
    expect(ops.total).toBeLessThan(all.total as number);
    expect(Object.keys(ops.by_agent as object)).toEqual(['OPSWARDEN']);
    expect((ops.hours as { by_agent: object }).by_agent).toEqual({ OPSWARDEN: (all.hours as { by_agent: Record<string, unknown> }).by_agent.OPSWARDEN });
    const ids = new Set(listed.map((r) => r.id));
    for (const id of [...(ops.overdue as string[]), ...(ops.blocked as string[])]) expect(ids.has(id)).toBe(true);
    const blockedOnly = await collect('tasks ls', context({ opts: { dir: EXAMPLES, agent: ['OPSWARDEN'], blocked: true } }, '/').ctx);
    expect(ops.blocked).toEqual(blockedOnly.map((r) => r.id).filter((id) => (all.blocked as string[]).includes(id as string)));
    expect(ops.problems).toBe(all.problems);
    const [none] = await collect('tasks stats', context({ opts: { dir: EXAMPLES, status: ['no-such-status'] } }, '/').ctx);
    expect(none).toMatchObject({ total: 0, by_status: {}, overdue: [], blocked: [] });
  });

  it('a missing folder is a usage error that names --dir', async () => {
    await expect(collect('tasks ls', context({ opts: { dir: '/nonexistent/tasks' } }, '/').ctx)).rejects.toMatchObject({ code: 'TASK_DIR_MISSING', hint: expect.stringMatching(/--dir/) });
  });

  it('a --dir that is a file, not a folder, is a usage error that says so', async () => {
    const file = writeTask(tempDir('not-a-folder'), 'notes.md', task('notes'));
    await expect(collect('tasks ls', context({ opts: { dir: file } }, '/').ctx)).rejects.toMatchObject({
      code: 'TASK_DIR_NOT_FOLDER',
      kind: 'usage',
      message: `task folder ${file} is not a folder`,
      hint: expect.stringMatching(/--dir/),
    });
  });

  it('a cache dir that cannot be written: the tasks are still listed, and one warning names the cache dir and what to do', async () => {
    const dir = tempDir('unusable-cache');
    writeTask(dir, 'a.md', task('a'));
    const blocker = writeTask(tempDir('blocker'), 'file', 'a file where the cache dir should be');
    for (const cacheDir of [path.join(blocker, 'cache'), blocker]) {
      for (const name of ['tasks ls', 'tasks stats']) {
        const { ctx, warnings } = context({ opts: { dir }, cacheDir }, '/');
        const out = await collect(name, ctx);
        expect(name === 'tasks ls' ? out.map((r) => r.id) : out[0].total).toEqual(name === 'tasks ls' ? ['a'] : 1);
        // the cache dir's one warning, the text the engine and the usage log give for it (printed once per run)
        expect(warnings).toEqual([cacheDirUnusable(cacheDir, Object.assign(new Error('mkdir'), { code: 'ENOTDIR' }))]);
        expect(warnings[0]).toMatch(new RegExp(`^cache directory ${cacheDir} is not writable .*set STRATA_CACHE_DIR to a writable directory$`));
      }
    }
  });
});

describe('tasks command examples', () => {
  it('every example with expected records produces exactly them', async () => {
    const root = path.resolve(EXAMPLES, '../..');
    let checked = 0;
    for (const def of tasksCommands) {
      for (const ex of def.examples ?? []) {
        if (!ex.expected) continue;
        const words = ex.argv.slice(def.name.split(' ').length);
        const opts: Record<string, unknown> = {};
        for (let i = 0; i < words.length; i += 2) opts[words[i].slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = words[i + 1];
        expect(await collect(def.name, context({ opts }, root).ctx), ex.summary).toEqual(ex.expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
