import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTaskFolder } from '../../src/tasks/generate.js';
import { INDEX_VERSION, IndexReader, IndexWriter, indexPathFor } from '../../src/tasks/index-file.js';
import { openTaskStore } from '../../src/tasks/store.js';
import { age, countingFs, task, tempDir, writeTask } from './helpers.js';

describe('the persisted task index', () => {
  it('a warm start with nothing changed reads no task file and lists the same records', async () => {
    const dir = tempDir('warm');
    const cacheDir = tempDir('cache');
    generateTaskFolder(dir, 300);
    const cold = countingFs();
    const first = await openTaskStore({ dir, cacheDir, fs: cold });
    expect(cold.reads).toHaveLength(300);
    const all = [...first.list({ sort: 'id' })];
    first.close();
    expect(fs.existsSync(indexPathFor(cacheDir, dir))).toBe(true);

    const warm = countingFs();
    const second = await openTaskStore({ dir, cacheDir, fs: warm });
    expect(warm.reads).toEqual([]);
    expect([...second.list({ sort: 'id' })]).toEqual(all);
    expect(second.stats()).toEqual(first.stats());
    second.close();
  });

  it('a warm start reports the same values that do not fit, from the index alone', async () => {
    const dir = tempDir('warm-warnings');
    const cacheDir = tempDir('cache');
    writeTask(dir, 'ok.md', task('ok'));
    writeTask(dir, 'odd.md', task('odd', { status: 'wip', priority: 'urgent' }));
    writeTask(dir, 'late.md', task('late', { status: 'done', priority: 'someday', due_date: "'2020-13-45'" }));
    age(dir);
    const cold = await openTaskStore({ dir, cacheDir });
    const expected = cold.warnings;
    cold.close();
    expect(expected.map((w) => [w.path, w.line, w.reason])).toEqual([
      ['late.md', 5, "priority 'someday' is not one of low, medium, high, critical"],
      ['late.md', 6, 'due_date "2020-13-45" is not a date (e.g. 2025-08-01)'],
      ['odd.md', 4, "status 'wip' is not one of todo, in_progress, blocked, review, done, cancelled"],
      ['odd.md', 5, "priority 'urgent' is not one of low, medium, high, critical"],
    ]);

    const counting = countingFs();
    const warm = await openTaskStore({ dir, cacheDir, fs: counting });
    expect(counting.reads).toEqual([]);
    expect(warm.indexOutcome).toBe('hit');
    expect(warm.warnings).toEqual(expected);
    // only the files with a value off the list are read, for its line number; ok.md is not
    expect([...new Set(counting.reads)].map((p) => p.split('/').pop()).sort()).toEqual(['late.md', 'odd.md']);
    warm.close();
  });

  it('after one file of 10k is modified, the next open re-reads only that file', async () => {
    const dir = tempDir('one-of-10k');
    const cacheDir = tempDir('cache');
    generateTaskFolder(dir, 10_000);
    const cold = await openTaskStore({ dir, cacheDir });
    const others = [...cold.list()].filter((t) => t.id !== 'task-004321');
    cold.close();

    const target = path.join(dir, 'task-004321.md');
    fs.writeFileSync(target, fs.readFileSync(target, 'utf8').replace(/^status: .*$/m, 'status: review').replace('title: ', 'title: Edited '));
    const counting = countingFs();
    const store = await openTaskStore({ dir, cacheDir, fs: counting });
    expect(counting.reads).toEqual(['task-004321.md']);
    expect(store.get('task-004321')).toMatchObject({ status: 'review', title: expect.stringMatching(/^Edited /) });
    expect(store.size).toBe(10_000);
    store.close();

    const again = countingFs();
    const reopened = await openTaskStore({ dir, cacheDir, fs: again });
    expect(again.reads.length).toBeLessThanOrEqual(1);
    expect([...reopened.list()].filter((t) => t.id !== 'task-004321')).toEqual(others);
    reopened.close();
  });

  it('notices added and removed files and a file changed back to the same size', async () => {
    const dir = tempDir('add-rm');
    const cacheDir = tempDir('cache');
    writeTask(dir, 'a.md', task('a', { status: 'todo' }));
    writeTask(dir, 'b.md', task('b'));
    age(dir);
    (await openTaskStore({ dir, cacheDir })).close();
    fs.rmSync(path.join(dir, 'b.md'));
    writeTask(dir, 'c.md', task('c'), false);
    fs.writeFileSync(path.join(dir, 'a.md'), task('a', { status: 'done' }));
    const counting = countingFs();
    const store = await openTaskStore({ dir, cacheDir, fs: counting });
    expect(counting.reads.sort()).toEqual(['a.md', 'c.md']);
    expect([...store.list()].map((t) => `${t.id}:${t.status}`)).toEqual(['a:done', 'c:todo']);
  });

  it('a torn or foreign index is a miss, never an error', async () => {
    const dir = tempDir('torn');
    const cacheDir = tempDir('cache');
    writeTask(dir, 'a.md', task('a'));
    (await openTaskStore({ dir, cacheDir })).close();
    const idx = indexPathFor(cacheDir, dir);
    for (const damage of [(b: Buffer) => b.subarray(0, b.length - 5), () => Buffer.from('garbage'), () => Buffer.alloc(0)]) {
      fs.writeFileSync(idx, damage(fs.readFileSync(idx)));
      const counting = countingFs();
      const store = await openTaskStore({ dir, cacheDir, fs: counting });
      expect(counting.reads).toEqual(['a.md']);
      expect([...store.list()].map((t) => t.id)).toEqual(['a']);
      store.close();
    }
  });

  it('every column kind reads back as written, and a few-valued column that outgrows its dictionary falls back to JSON', () => {
    const dir = tempDir('codec');
    const file = path.join(tempDir('codec-cache'), 'x.idx');
    const n = 70_000;
    const columns = {
      size: { kind: 'f64' as const, values: Array.from({ length: n }, (_, i) => i * 1.5) },
      due: { kind: 'f64?' as const, values: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : -i)) },
      status: { kind: 'dict' as const, values: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : ['todo', 'done', 'ünïcode'][i % 3])) },
      assignee: { kind: 'dict' as const, values: Array.from({ length: n }, (_, i) => `person-${i}`) },
      tags: { kind: 'json' as const, values: Array.from({ length: n }, (_, i) => (i % 2 ? ['a', `t${i}`] : [])) },
    };
    const writer = new IndexWriter(file);
    writer.finish({ v: INDEX_VERSION, dir, n, dirs: [], problems: [], derived: {} }, columns).close();
    const reader = IndexReader.open(file, dir)!;
    expect(Array.from(reader.numbers('size'))).toEqual(columns.size.values);
    expect(reader.column('due')).toEqual(columns.due.values);
    expect(reader.column('status')).toEqual(columns.status.values);
    expect(reader.dictionary('status')?.dict).toEqual([null, 'done', 'ünïcode', 'todo']);
    expect(reader.dictionary('assignee')).toBeUndefined();
    expect(reader.column('assignee')).toEqual(columns.assignee.values);
    expect(reader.column('tags')).toEqual(columns.tags.values);
    reader.close();
  });

  it('without a cache dir the store still works, from memory', async () => {
    const dir = tempDir('nocache');
    writeTask(dir, 'a.md', task('a'));
    const store = await openTaskStore({ dir });
    expect([...store.list()].map((t) => t.path)).toEqual(['a.md']);
  });

  it('reads task files in sub-folders, skipping dot-folders and non-markdown files', async () => {
    const dir = tempDir('nested');
    fs.mkdirSync(path.join(dir, 'sprint-1'));
    fs.mkdirSync(path.join(dir, '.git'));
    writeTask(dir, 'sprint-1/a.md', task('a'));
    writeTask(dir, '.git/b.md', task('b'));
    writeTask(dir, 'notes.txt', 'not a task');
    writeTask(dir, 'top.md', task('top'));
    for (const d of ['sprint-1', '.git', '']) age(path.join(dir, d));
    const cacheDir = tempDir('cache');
    const store = await openTaskStore({ dir, cacheDir });
    expect([...store.list()].map((t) => t.path)).toEqual(['sprint-1/a.md', 'top.md']);

    const warm = countingFs();
    expect([...(await openTaskStore({ dir, cacheDir, fs: warm })).list()].map((t) => t.path)).toEqual(['sprint-1/a.md', 'top.md']);
    expect(warm.reads).toEqual([]);
    writeTask(dir, 'sprint-1/b.md', task('b'), false);
    const after = countingFs();
    expect([...(await openTaskStore({ dir, cacheDir, fs: after })).list()].map((t) => t.path)).toEqual(['sprint-1/a.md', 'sprint-1/b.md', 'top.md']);
    expect(after.reads).toEqual(['b.md']);
  });
});

describe('bad task files', () => {
  async function badFolder() {
    const dir = tempDir('bad');
    writeTask(dir, 'good-1.md', task('good-1'));
    writeTask(dir, 'good-2.md', task('good-2'));
    writeTask(dir, 'broken.md', '---\nid: broken\ntitle: [unclosed\nstatus: todo\n---\nbody\n');
    writeTask(dir, 'list.md', '---\n- a\n- b\n---\n');
    writeTask(dir, 'empty.md', '---\n---\nbody\n');
    writeTask(dir, 'comment.md', '---\n# only a comment\n---\n');
    writeTask(dir, 'binary.md', Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0xff, 0x10]).toString('latin1'));
    writeTask(dir, 'plain.md', '# Just notes\n');
    writeTask(dir, 'zz-clash.md', task('good-1', { title: 'Same id again' }));
    return dir;
  }

  const expected = [
    { path: 'binary.md', line: 1, reason: expect.stringMatching(/binary/) },
    { path: 'broken.md', line: expect.any(Number), reason: expect.stringMatching(/^invalid YAML/) },
    { path: 'comment.md', line: 2, reason: 'front matter is empty, expected a mapping of task fields' },
    { path: 'empty.md', line: 2, reason: 'front matter is empty, expected a mapping of task fields' },
    { path: 'list.md', line: 2, reason: 'front matter is a list, not a mapping of task fields' },
    { path: 'plain.md', line: 1, reason: expect.stringMatching(/no front matter/) },
    { path: 'zz-clash.md', line: 2, reason: "id 'good-1' is already used by good-1.md" },
  ];

  it('every good task is listed and each bad file is reported with path, line and reason', async () => {
    const store = await openTaskStore({ dir: await badFolder(), cacheDir: tempDir('cache') });
    expect([...store.list()].map((t) => t.path)).toEqual(['good-1.md', 'good-2.md']);
    expect(store.problems).toEqual(expected);
    expect(store.problems[1].line).toBeGreaterThanOrEqual(3);
    expect(store.stats()).toMatchObject({ total: 2, problems: 7 });
  });

  it('a warm start reports the same problems without re-reading the bad files', async () => {
    const dir = await badFolder();
    const cacheDir = tempDir('cache');
    (await openTaskStore({ dir, cacheDir })).close();
    const counting = countingFs();
    const store = await openTaskStore({ dir, cacheDir, fs: counting });
    expect(counting.reads).toEqual([]);
    expect(store.problems).toEqual(expected);
  });

  it('when the first owner of a clashing id goes away, the other file becomes the task', async () => {
    const dir = await badFolder();
    const cacheDir = tempDir('cache');
    (await openTaskStore({ dir, cacheDir })).close();
    fs.rmSync(path.join(dir, 'good-1.md'));
    const store = await openTaskStore({ dir, cacheDir });
    expect(store.get('good-1')).toMatchObject({ title: 'Same id again', path: 'zz-clash.md' });
    expect(store.problems.map((p) => p.path)).toEqual(['binary.md', 'broken.md', 'comment.md', 'empty.md', 'list.md', 'plain.md']);
  });
});
