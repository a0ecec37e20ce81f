import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTaskStore } from '../../src/tasks/store.js';
import type { TaskChange } from '../../src/tasks/types.js';
import { task, tempDir, writeTask } from './helpers.js';

/** Pulls change records from the watch until `count` arrived (the test's own timeout bounds it). */
async function take(it: AsyncIterator<TaskChange>, count: number): Promise<TaskChange[]> {
  const out: TaskChange[] = [];
  while (out.length < count) {
    const next = await it.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe('tasks watch', () => {
  it('emits added, changed and removed records with the task, and stops when the signal aborts', async () => {
    const dir = tempDir('watch');
    const cacheDir = tempDir('cache');
    writeTask(dir, 'a.md', task('a'));
    writeTask(dir, 'b.md', task('b'));
    const store = await openTaskStore({ dir, cacheDir });
    const ac = new AbortController();
    const stream = store.watch(ac.signal)[Symbol.asyncIterator]();
    const first = stream.next();
    await new Promise((r) => setTimeout(r, 300));

    writeTask(dir, 'c.md', task('c', { status: 'review' }), false);
    const [added] = [(await first).value as TaskChange];
    expect(added).toEqual({ event: 'added', id: 'c', task: expect.objectContaining({ id: 'c', status: 'review', path: 'c.md' }) });

    await store.set('a', { status: 'done' });
    expect(await take(stream, 1)).toEqual([{ event: 'changed', id: 'a', task: expect.objectContaining({ status: 'done' }) }]);

    fs.rmSync(path.join(dir, 'b.md'));
    expect(await take(stream, 1)).toEqual([{ event: 'removed', id: 'b', task: expect.objectContaining({ id: 'b', path: 'b.md' }) }]);

    const ended = stream.next();
    ac.abort();
    expect(await ended).toEqual({ done: true, value: undefined });
    expect([...store.list()].map((t) => `${t.id}:${t.status}`)).toEqual(['a:done', 'c:review']);
  });

  it('reports a file that is invalid at the start or turns invalid (once per path and reason); its task is removed', async () => {
    const dir = tempDir('watch-problems');
    writeTask(dir, 'a.md', task('a'));
    writeTask(dir, 'bad.md', '---\n- a list\n---\n');
    const store = await openTaskStore({ dir });
    const problems: string[] = [];
    const ac = new AbortController();
    const stream = store.watch(ac.signal, (p) => problems.push(`${p.path}:${p.line}: ${p.reason}`))[Symbol.asyncIterator]();
    const first = stream.next();
    await new Promise((r) => setTimeout(r, 300));
    expect(problems).toEqual(['bad.md:2: front matter is a list, not a mapping of task fields']);

    writeTask(dir, 'a.md', '---\nid: a\ntitle: [unclosed\n---\n', false);
    expect((await first).value).toEqual({ event: 'removed', id: 'a', task: expect.objectContaining({ id: 'a' }) });
    expect(problems).toHaveLength(2);
    expect(problems[1]).toMatch(/^a\.md:\d+: invalid YAML/);

    writeTask(dir, 'c.md', task('c'), false);
    expect(await take(stream, 1)).toEqual([{ event: 'added', id: 'c', task: expect.objectContaining({ id: 'c' }) }]);
    expect(problems).toHaveLength(2); // the same problems are not reported again

    const ended = stream.next();
    ac.abort();
    expect(await ended).toEqual({ done: true, value: undefined });
  });

  it('a watch started with an aborted signal ends at once', async () => {
    const dir = tempDir('watch-aborted');
    const store = await openTaskStore({ dir });
    const ac = new AbortController();
    ac.abort();
    const got: TaskChange[] = [];
    for await (const c of store.watch(ac.signal)) got.push(c);
    expect(got).toEqual([]);
  });
});
