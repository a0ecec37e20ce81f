import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/util/clock.js';
import { openTaskStore } from '../../src/tasks/store.js';
import { EXAMPLES, task, tempDir, writeTask } from './helpers.js';

const AUG_1 = Date.UTC(2025, 7, 1);

async function folder() {
  const dir = tempDir('query');
  writeTask(dir, 'a.md', task('a', { status: 'todo', priority: 'high', agent: 'CODEFORGE', due_date: "'2025-07-20'", tags: '[cli, aws]', estimated_hours: '4.0', actual_hours: '6.0' }, '\nMentions the FUSE mount.\n'));
  writeTask(dir, 'b.md', task('b', { status: 'done', priority: 'low', agent: 'OPSWARDEN', due_date: "'2025-07-01'", tags: '[aws]', estimated_hours: '2.0', actual_hours: '1.0' }));
  writeTask(dir, 'c.md', task('c', { status: 'in_progress', priority: 'critical', agent: 'CODEFORGE', due_date: "'2025-08-01T10:00:00Z'", dependencies: '[b, a]', estimated_hours: '1.5' }));
  writeTask(dir, 'd.md', task('d', { status: 'todo', priority: 'medium', assignee: 'maya', dependencies: '[b]', title: 'Rotate keys' }));
  writeTask(dir, 'e.md', task('e', { status: 'cancelled', priority: 'medium', due_date: "'2025-06-01'", dependencies: '[ghost]' }));
  const cacheDir = tempDir('cache');
  const store = await openTaskStore({ dir, cacheDir, clock: new ManualClock(AUG_1 + 12 * 3600_000) });
  cacheOf.set(store, cacheDir);
  return store;
}
const cacheOf = new WeakMap<object, string>();

const ids = (xs: Iterable<{ id: string }>) => [...xs].map((t) => t.id);

describe('task queries', () => {
  it('filters on status, agent, priority, assignee and tag (each an any-of list) and combines them with and', async () => {
    const s = await folder();
    expect(ids(s.list({ status: ['todo'] }))).toEqual(['a', 'd']);
    expect(ids(s.list({ status: ['todo', 'done'] }))).toEqual(['a', 'b', 'd']);
    expect(ids(s.list({ agent: ['CODEFORGE'], priority: ['critical'] }))).toEqual(['c']);
    expect(ids(s.list({ tag: ['aws'] }))).toEqual(['a', 'b']);
    expect(ids(s.list({ tag: ['cli'], status: ['done'] }))).toEqual([]);
    expect(ids(s.list({ assignee: ['maya'] }))).toEqual(['d']);
    expect(ids(s.list({ status: ['nope'] }))).toEqual([]);
  });

  it('a warm store (columns decoded from the index) answers every filter as the cold one did', async () => {
    const cold = await folder();
    const queries = [
      { status: ['todo'] }, { status: ['todo', 'done'] }, { agent: ['CODEFORGE'], priority: ['critical'] }, { tag: ['aws'] },
      { tag: ['cli'], status: ['done'] }, { assignee: ['maya'] }, { status: ['nope'] }, { priority: ['medium'], blocked: true },
      { status: ['todo'], sort: 'priority' },
    ];
    const expected = queries.map((q) => ids(cold.list(q)));
    cold.close();
    const warm = await openTaskStore({ dir: cold.dir, cacheDir: cacheOf.get(cold)! });
    expect(warm.lastReads).toBe(0);
    expect(queries.map((q) => ids(warm.list(q)))).toEqual(expected);
    warm.close();
  });

  it('a tag repeated in one task lists that task once', async () => {
    const dir = tempDir('dup-tag');
    writeTask(dir, 'a.md', task('a', { tags: '[cli, cli]' }));
    writeTask(dir, 'b.md', task('b', { tags: '[aws]' }));
    const s = await openTaskStore({ dir });
    expect(ids(s.list({ tag: ['cli'] }))).toEqual(['a']);
    expect(ids(s.list({ tag: ['cli', 'aws'] }))).toEqual(['a', 'b']);
  });

  it('due-before is before the start of the day, due-after after its end; tasks without a due date never match', async () => {
    const s = await folder();
    const day = (d: string, end: boolean) => Date.parse(`${d}T00:00:00Z`) + (end ? 86_400_000 - 1 : 0);
    expect(ids(s.list({ dueBefore: day('2025-07-20', false) }))).toEqual(['b', 'e']);
    expect(ids(s.list({ dueBefore: day('2025-07-21', false) }))).toEqual(['a', 'b', 'e']);
    expect(ids(s.list({ dueAfter: day('2025-07-20', true) }))).toEqual(['c']);
    expect(ids(s.list({ dueAfter: day('2025-06-30', true), dueBefore: day('2025-08-01', false), status: ['todo', 'done'] }))).toEqual(['a', 'b']);
  });

  it('text search looks in title, description and the body, case-insensitively, reading bodies only for candidates', async () => {
    const s = await folder();
    expect(ids(s.list({ text: 'fuse MOUNT' }))).toEqual(['a']);
    expect(ids(s.list({ text: 'rotate' }))).toEqual(['d']);
    expect(ids(s.list({ text: 'body', status: ['done'] }))).toEqual(['b']);
  });

  it('sorts dates, numbers and priorities by meaning, puts missing values last, reverses and pages', async () => {
    const s = await folder();
    expect(ids(s.list({ sort: 'due_date' }))).toEqual(['e', 'b', 'a', 'c', 'd']);
    expect(ids(s.list({ sort: 'priority' }))).toEqual(['b', 'd', 'e', 'a', 'c']);
    // reversing the order, not the list: equal priorities (d, e) keep file order
    expect(ids(s.list({ sort: 'priority', reverse: true }))).toEqual(['c', 'a', 'd', 'e', 'b']);
    expect(ids(s.list({ sort: 'estimated_hours' }))).toEqual(['c', 'b', 'a', 'd', 'e']);
    // reversed, tasks without the value stay last (as `sort-by --reverse` keeps them)
    expect(ids(s.list({ sort: 'estimated_hours', reverse: true }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ids(s.list({ sort: 'due_date', reverse: true }))).toEqual(['c', 'a', 'b', 'e', 'd']);
    expect(ids(s.list({ sort: 'title' }))).toEqual(['d', 'a', 'b', 'c', 'e']);
    expect(ids(s.list({ sort: 'id', offset: 1, limit: 2 }))).toEqual(['b', 'c']);
    // a key only some tasks have sorts them first; a key none has is a typo, refused
    expect(ids(s.list({ sort: 'assignee' }))).toEqual(['d', 'a', 'b', 'c', 'e']);
    expect(() => ids(s.list({ sort: 'due' }))).toThrow(expect.objectContaining({ code: 'TASK_BAD_SORT', kind: 'usage', hint: expect.stringMatching(/due_date/) }));
    expect(() => ids(s.list({ sort: 'due', status: ['done'] }))).toThrow(expect.objectContaining({ code: 'TASK_BAD_SORT' }));
  });

  it('sorts by a key only some tasks have, even when none of the matching ones has it', async () => {
    const dir = tempDir('sort-custom');
    writeTask(dir, 'a.md', task('a', { sprint: '3' }));
    writeTask(dir, 'b.md', task('b', { status: 'done' }));
    writeTask(dir, 'c.md', task('c', { status: 'done' }));
    const s = await openTaskStore({ dir });
    expect(ids(s.list({ sort: 'sprint' }))).toEqual(['a', 'b', 'c']);
    expect(ids(s.list({ sort: 'sprint', status: ['done'] }))).toEqual(['b', 'c']);
  });

  it('a task is blocked while a dependency is open (not done or cancelled) or does not exist', async () => {
    const s = await folder();
    expect(ids(s.list({ blocked: true }))).toEqual(['c', 'e']);
    expect(s.blockedBy('c')).toEqual(['a']);
    expect(s.blockedBy('d')).toEqual([]);
    expect(s.blockedBy('e')).toEqual(['ghost']);
  });

  it('a cancelled dependency resolves like a done one, in the list, in blockedBy and in stats', async () => {
    const dir = tempDir('cancelled-dep');
    writeTask(dir, 'x.md', task('x', { status: 'cancelled' }));
    writeTask(dir, 'y.md', task('y', { status: 'todo' }));
    writeTask(dir, 'z.md', task('z', { status: 'todo', dependencies: '[x, y]' }));
    writeTask(dir, 'w.md', task('w', { status: 'todo', dependencies: '[x]' }));
    const s = await openTaskStore({ dir, cacheDir: tempDir('cache'), clock: new ManualClock(AUG_1) });
    expect(ids(s.list({ blocked: true }))).toEqual(['z']);
    expect(s.blockedBy('z')).toEqual(['y']);
    expect(s.blockedBy('w')).toEqual([]);
    expect(s.stats().blocked).toEqual(['z']);
  });

  it('records carry the front matter keys as they are plus path, with typed numbers', async () => {
    const s = await folder();
    expect(s.get('a')).toEqual({
      id: 'a', title: 'Title of a', status: 'todo', priority: 'high', agent: 'CODEFORGE', due_date: '2025-07-20', tags: ['cli', 'aws'],
      estimated_hours: 4, actual_hours: 6, path: 'a.md', body: '\nMentions the FUSE mount.\n',
    });
  });
});

describe('task stats', () => {
  it('counts by status, agent, priority and tag; hours with ratios over tasks that have both; overdue by the clock', async () => {
    const s = await folder();
    expect(s.stats()).toEqual({
      total: 5,
      byStatus: { todo: 2, done: 1, in_progress: 1, cancelled: 1 },
      byAgent: { CODEFORGE: 2, OPSWARDEN: 1, '(none)': 2 },
      byPriority: { high: 1, low: 1, critical: 1, medium: 2 },
      byTag: { cli: 1, aws: 2 },
      hours: {
        estimated: 7.5, actual: 7, ratio: 1.167,
        byAgent: { CODEFORGE: { estimated: 5.5, actual: 6, ratio: 1.5 }, OPSWARDEN: { estimated: 2, actual: 1, ratio: 0.5 }, '(none)': { estimated: 0, actual: 0, ratio: null } },
      },
      overdue: ['a', 'c'],
      blocked: ['c', 'e'],
      cycles: [],
      missingDependencies: [{ id: 'e', missing: 'ghost' }],
      problems: 0,
    });
  });

  it('reports dependency cycles', async () => {
    const dir = tempDir('cycle');
    writeTask(dir, 'a.md', task('a', { dependencies: '[b]' }));
    writeTask(dir, 'b.md', task('b', { dependencies: '[c]' }));
    writeTask(dir, 'c.md', task('c', { dependencies: '[a]' }));
    writeTask(dir, 'd.md', task('d', { dependencies: '[d]' }));
    writeTask(dir, 'e.md', task('e', { dependencies: '[a]' }));
    const s = await openTaskStore({ dir });
    expect(s.stats().cycles).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('cached stats follow a change to a file', async () => {
    const dir = tempDir('stats-cache');
    const cacheDir = tempDir('cache');
    writeTask(dir, 'a.md', task('a', { status: 'todo' }));
    writeTask(dir, 'b.md', task('b', { dependencies: '[a]' }));
    expect((await openTaskStore({ dir, cacheDir })).stats()).toMatchObject({ byStatus: { todo: 2 }, blocked: ['b'] });
    fs.writeFileSync(path.join(dir, 'a.md'), task('a', { status: 'done' }));
    expect((await openTaskStore({ dir, cacheDir })).stats()).toMatchObject({ byStatus: { done: 1, todo: 1 }, blocked: [] });
  });

  it('the example folder has 50 tasks, no problems and no cycles', async () => {
    const s = await openTaskStore({ dir: EXAMPLES, clock: new ManualClock(AUG_1) });
    const st = s.stats();
    expect(st.total).toBe(50);
    expect(s.problems).toEqual([]);
    expect(st.cycles).toEqual([]);
    expect(st.missingDependencies).toEqual([]);
    expect(st.blocked.length).toBeGreaterThan(2);
    expect(Object.keys(st.byStatus).sort()).toEqual(['blocked', 'done', 'in_progress', 'review', 'todo']);
  });
});
