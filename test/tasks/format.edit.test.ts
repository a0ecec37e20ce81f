import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ManualClock } from '../../src/util/clock.js';
import { applyChanges, renderNewTask } from '../../src/tasks/edit.js';
import { openTaskStore } from '../../src/tasks/store.js';
import { SEED, task, tempDir, writeTask } from './helpers.js';

const NOW = Date.UTC(2025, 7, 1, 12, 0, 0);

function changedLines(a: string, b: string): string[] {
  const al = a.split('\n');
  const bl = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(al.length, bl.length); i++) if (al[i] !== bl[i]) out.push(`${al[i]} => ${bl[i]}`);
  return out;
}

describe('task file writes', () => {
  it('leaves an untouched file byte for byte as it was after listing, showing and stats', async () => {
    const dir = tempDir('rt');
    const file = writeTask(dir, 'seed.md', SEED);
    const before = fs.readFileSync(file);
    const store = await openTaskStore({ dir, cacheDir: tempDir('cache') });
    expect([...store.list()].map((t) => t.id)).toEqual(['add-performance-optimization']);
    expect(store.get('add-performance-optimization')?.body).toBe(SEED.slice(SEED.indexOf('\n---\n') + 5));
    store.stats();
    store.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('set changes only the touched keys and updated_at; folding, quoting, unknown keys, comments and body survive', async () => {
    const dir = tempDir('set');
    const text = SEED.replace('assignee: null\n', 'assignee: null\n# reviewed weekly\nsprint: 14\n');
    const file = writeTask(dir, 'seed.md', text);
    const store = await openTaskStore({ dir, clock: new ManualClock(NOW) });
    const rec = await store.set('add-performance-optimization', { status: 'in_progress', actual_hours: '1.5' });
    const after = fs.readFileSync(file, 'utf8');
    expect(changedLines(text, after)).toEqual([
      'status: todo => status: in_progress',
      "updated_at: '2025-07-23T04:14:55.836795+00:00' => updated_at: '2025-08-01T12:00:00.000Z'",
      'actual_hours: null => actual_hours: 1.5',
    ]);
    expect(rec).toMatchObject({ status: 'in_progress', actual_hours: 1.5, sprint: 14, updated_at: '2025-08-01T12:00:00.000Z' });
  });

  it('set replaces a list in place and appends a new key at the end of the front matter', () => {
    const text = task('a', { tags: '\n- x\n- y', notes: "'keep'" }, '\n# Body\n');
    const out = applyChanges(YAML, text, { tags: ['z'], owner: 'ops' }, 'a.md');
    expect(out).toBe("---\nid: a\ntitle: Title of a\nstatus: todo\npriority: medium\ntags:\n- z\nnotes: 'keep'\nowner: ops\n---\n\n# Body\n");
  });

  it('a file with CRLF line endings (and a byte order mark) keeps them on every line a change writes', async () => {
    const crlf = `\uFEFF${task('w', { tags: '[a]', notes: 'keep' }, '\r\nBody.\r\n').replace(/\n/g, '\r\n').replace(/\r\r/g, '\r')}`;
    const out = applyChanges(YAML, crlf, { tags: ['x', 'y'], sprint: 3, status: 'done' }, 'w.md');
    expect(out.startsWith('\uFEFF---\r\n')).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(out).toContain('sprint: 3\r\n---\r\n');
    expect(out).toContain('notes: keep\r\n');
    const dir = tempDir('crlf');
    writeTask(dir, 'w.md', crlf);
    const store = await openTaskStore({ dir, clock: new ManualClock(NOW) });
    expect(store.problems).toEqual([]);
    expect(await store.set('w', { tags: 'x,y', sprint: '3' })).toMatchObject({ id: 'w', tags: ['x', 'y'], sprint: 3 });
    const written = fs.readFileSync(path.join(dir, 'w.md'), 'utf8');
    expect(written.startsWith('\uFEFF---\r\n')).toBe(true);
    expect(written.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('a new task file reads back to the fields it was written from', () => {
    const fields = { id: 'x', title: "It's: tricky # yes", description: 'two\nlines', tags: ['a', 'b'], estimated_hours: 2.5, due_date: '2025-09-01', custom: true };
    const text = renderNewTask(YAML, fields, 'Body');
    const fm = text.slice(4, text.indexOf('\n---\n') + 1);
    expect(YAML.parse(fm)).toEqual(fields);
    expect(text.endsWith('---\n\nBody\n')).toBe(true);
    expect(text).toContain("due_date: '2025-09-01'\n");
  });

  it('add writes <slug>.md with a unique id, typed fields and timestamps from the clock', async () => {
    const dir = tempDir('add');
    writeTask(dir, 'ship-it.md', task('ship-it'));
    const store = await openTaskStore({ dir, clock: new ManualClock(NOW) });
    const rec = await store.add({ title: 'Ship it!', tags: 'cli,aws', estimated_hours: '3', due_date: '2025-09-01' }, 'Steps.');
    expect(rec).toMatchObject({ id: 'ship-it-2', path: 'ship-it-2.md', status: 'todo', priority: 'medium', tags: ['cli', 'aws'], estimated_hours: 3, created_at: '2025-08-01T12:00:00.000Z' });
    expect(fs.readFileSync(path.join(dir, 'ship-it-2.md'), 'utf8')).toContain('\n---\n\nSteps.\n');
    expect(store.get('ship-it-2')?.body).toBe('\nSteps.\n');
  });

  it('refuses an unknown status or priority, an impossible date and a bad number with a usage error, writing nothing', async () => {
    const dir = tempDir('bad');
    const file = writeTask(dir, 'a.md', task('a'));
    const before = fs.readFileSync(file, 'utf8');
    const store = await openTaskStore({ dir, statuses: ['open', 'closed'], priorities: ['p1', 'p2'] });
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ status: 'todo' }, 'TASK_BAD_STATUS', /status 'todo' is not one of open, closed/],
      [{ priority: 'urgent' }, 'TASK_BAD_PRIORITY', /not one of p1, p2/],
      [{ due_date: '2025-02-30' }, 'TASK_BAD_DATE', /is not a date/],
      [{ due_date: 'next week' }, 'TASK_BAD_DATE', /is not a date/],
      [{ estimated_hours: 'lots' }, 'TASK_BAD_NUMBER', /not a number of hours/],
      [{ estimated_hours: ' ' }, 'TASK_BAD_NUMBER', /not a number of hours/],
      [{ estimated_hours: '-1' }, 'TASK_BAD_NUMBER', /not a number of hours/],
      [{ id: 'b' }, 'TASK_BAD_KEY', /cannot be changed/],
    ];
    for (const [changes, code, message] of cases) {
      const err = await store.set('a', changes).catch((e: unknown) => e);
      expect(err).toMatchObject({ code, kind: 'usage' });
      expect((err as Error).message).toMatch(message);
      expect((err as { hint?: string }).hint).toBeTruthy();
    }
    await expect(store.add({ title: 'x', status: 'todo' })).rejects.toMatchObject({ code: 'TASK_BAD_STATUS' });
    await expect(store.add({ status: 'open' })).rejects.toMatchObject({ code: 'TASK_NO_TITLE' });
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['a.md']);
  });
});
