import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTaskStore } from '../../src/tasks/store.js';
import { task, tempDir, writeTask } from './helpers.js';

const run = promisify(execFile);
let worker = '';

/** A child process that opens the store and applies one change, printing the outcome as JSON. */
const WORKER_SOURCE = `
import { openTaskStore } from './store.mjs';
const [dir, cacheDir, op, id, json, ifVersion] = process.argv.slice(2);
try {
  const store = await openTaskStore({ dir, cacheDir });
  const rec = op === 'add' ? await store.add(JSON.parse(json)) : await store.set(id, JSON.parse(json), ifVersion ? { ifVersion } : {});
  console.log(JSON.stringify({ ok: true, id: rec.id }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, code: err.code, message: err.message }));
}
`;

beforeAll(async () => {
  const out = tempDir('worker');
  await build({
    entryPoints: [new URL('../../src/tasks/store.ts', import.meta.url).pathname],
    bundle: true, platform: 'node', format: 'esm', outfile: path.join(out, 'store.mjs'), logLevel: 'error',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  worker = path.join(out, 'worker.mjs');
  fs.writeFileSync(worker, WORKER_SOURCE);
});

async function child(...args: string[]): Promise<{ ok: boolean; id?: string; code?: string }> {
  const { stdout } = await run(process.execPath, [worker, ...args]);
  return JSON.parse(stdout.trim());
}

describe('concurrent writers', () => {
  it('child processes changing different tasks at once lose nothing', async () => {
    const dir = tempDir('conc');
    const cacheDir = tempDir('cache');
    for (let i = 0; i < 8; i++) writeTask(dir, `t${i}.md`, task(`t${i}`));
    const results = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => child(dir, cacheDir, 'set', `t${i}`, JSON.stringify({ status: 'done', notes: `by writer ${i}` }))),
      ...Array.from({ length: 4 }, (_, i) => child(dir, cacheDir, 'add', '', JSON.stringify({ title: 'Same title', tags: `w${i}` }))),
    ]);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const store = await openTaskStore({ dir, cacheDir });
    for (let i = 0; i < 8; i++) expect(store.get(`t${i}`)).toMatchObject({ status: 'done', notes: `by writer ${i}` });
    const added = [...store.list({ text: 'same title', sort: 'id' })];
    expect(added.map((t) => t.id)).toEqual(['same-title', 'same-title-2', 'same-title-3', 'same-title-4']);
    expect(added.map((t) => (t.tags as string[])[0]).sort()).toEqual(['w0', 'w1', 'w2', 'w3']);
    expect(fs.readdirSync(dir).filter((f) => !f.endsWith('.md'))).toEqual([]);
  });

  it('two child processes changing the same version of one task: one wins, the other gets TASK_CONFLICT', async () => {
    const dir = tempDir('same');
    writeTask(dir, 'x.md', task('x'));
    const version = (await (await openTaskStore({ dir })).version('x'))!;
    const results = await Promise.all([
      child(dir, '', 'set', 'x', JSON.stringify({ assignee: 'maya' }), version),
      child(dir, '', 'set', 'x', JSON.stringify({ assignee: 'tomas' }), version),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([expect.objectContaining({ ok: false, code: 'TASK_CONFLICT' })]);
    const winner = results[0].ok ? 'maya' : 'tomas';
    expect((await openTaskStore({ dir })).get('x')?.assignee).toBe(winner);
  });

  it('in-process writers on many tasks at once all land, and a stale version is refused', async () => {
    const dir = tempDir('inproc');
    for (let i = 0; i < 20; i++) writeTask(dir, `t${i}.md`, task(`t${i}`));
    const stores = await Promise.all([0, 1, 2, 3].map(() => openTaskStore({ dir })));
    await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4].set(`t${i}`, { estimated_hours: String(i) })));
    const check = await openTaskStore({ dir });
    for (let i = 0; i < 20; i++) expect(check.get(`t${i}`)?.estimated_hours).toBe(i);

    const v = (await check.version('t0'))!;
    fs.appendFileSync(path.join(dir, 't0.md'), 'edited in an editor\n');
    await expect(check.set('t0', { status: 'done' }, { ifVersion: v })).rejects.toMatchObject({ code: 'TASK_CONFLICT', kind: 'runtime' });
    expect(fs.readFileSync(path.join(dir, 't0.md'), 'utf8')).toMatch(/status: todo[\s\S]*edited in an editor\n$/);
  });
});
