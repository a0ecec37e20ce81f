// `strata tasks ...` as real child processes of the built CLI: records on stdout, error records
// and messages on stderr, exit codes. Covers ls (filters, sort, paging), a pipe into `where`, bad
// files (with and without --strict), add / show / set (bytes of the file kept), the warm index
// seen through --stats, stats against the files, and watch until SIGINT.
// Expected values come from reading examples/tasks with a plain regex, not through strata.

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/strata.js');
const examples = join(root, 'examples/tasks');

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `strata-tasks-e2e-${prefix}-`));
  temps.push(dir);
  return dir;
}

const env: NodeJS.ProcessEnv = { ...process.env, HOME: tempDir('home'), STRATA_CACHE_DIR: tempDir('cache') };
delete env.STRATA_OUTPUT;

function strata(args: string[], withEnv: NodeJS.ProcessEnv = env) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: withEnv, encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const records = (ndjson: string) => lines(ndjson).map((l) => JSON.parse(l) as Record<string, unknown>);
const ids = (ndjson: string) => records(ndjson).map((r) => r.id);

/** A private copy of examples/tasks, every file and the folder dated an hour back (as after a checkout). */
function copyExamples(): string {
  const dir = tempDir('tasks');
  cpSync(examples, dir, { recursive: true });
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const f of readdirSync(dir)) utimesSync(join(dir, f), hourAgo, hourAgo);
  utimesSync(dir, hourAgo, hourAgo);
  return dir;
}

/** The example tasks as a regex reads their front matter, in file order. */
const seen = readdirSync(examples)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((file) => {
    const fm = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(join(examples, file), 'utf8'))![1];
    const field = (key: string) => {
      const m = new RegExp(`^${key}: '?([^'\\n]*)'?$`, 'm').exec(fm);
      return m && m[1] !== 'null' ? m[1] : null;
    };
    return { file, id: field('id')!, status: field('status')!, priority: field('priority')!, due: field('due_date') };
  });

function countBy(key: 'status' | 'priority'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of seen) out[t[key]] = (out[t[key]] ?? 0) + 1;
  return out;
}

const PRIORITIES = ['low', 'medium', 'high', 'critical'];
const STATUSES = 'todo, in_progress, blocked, review, done, cancelled';

describe('strata tasks as a process', () => {
  const shared = copyExamples();
  const todo = seen.filter((t) => t.status === 'todo');

  it('ls filters by status, sorts and pages', () => {
    expect(todo.length).toBeGreaterThan(5);
    const all = strata(['tasks', 'ls', '--dir', shared, '--status', 'todo', '-o', 'ndjson']);
    expect(all.code).toBe(0);
    expect(all.stderr).toBe('');
    const recs = records(all.stdout);
    expect(recs.map((r) => r.status)).toEqual(todo.map(() => 'todo'));
    expect(recs.map((r) => r.id).sort()).toEqual(todo.map((t) => t.id).sort());

    // due dates sort as ISO text; ties keep file order
    const byDue = [...todo].sort((a, b) => (a.due! < b.due! ? -1 : a.due! > b.due! ? 1 : 0)).map((t) => t.id);
    const sorted = strata(['tasks', 'ls', '--dir', shared, '--status', 'todo', '--sort', 'due_date', '-o', 'ndjson']);
    expect(ids(sorted.stdout)).toEqual(byDue);
    const page = strata(['tasks', 'ls', '--dir', shared, '--status', 'todo', '--sort', 'due_date', '--offset', '2', '--limit', '3', '-o', 'ndjson']);
    expect(page.code).toBe(0);
    expect(ids(page.stdout)).toEqual(byDue.slice(2, 5));

    // priority sorts by its configured order, not alphabetically; --reverse puts critical first
    const byPriority = [...todo].sort((a, b) => PRIORITIES.indexOf(b.priority) - PRIORITIES.indexOf(a.priority)).map((t) => t.id);
    const urgent = strata(['tasks', 'ls', '--dir', shared, '--status', 'todo', '--sort', 'priority', '--reverse', '-o', 'ndjson']);
    expect(ids(urgent.stdout)).toEqual(byPriority);
  });

  it('ls piped into `where` keeps the same tasks as the --priority filter', () => {
    const high = seen.filter((t) => t.priority === 'high').map((t) => t.id);
    const direct = strata(['tasks', 'ls', '--dir', shared, '--priority', 'high', '-o', 'ndjson']);
    expect(ids(direct.stdout)).toEqual(high);
    const piped = spawnSync('sh', ['-c', '"$1" "$2" tasks ls --dir "$3" -o ndjson | "$1" "$2" where "$4" -o ndjson', 'sh', process.execPath, bin, shared, 'priority == "high"'], { env, encoding: 'utf8' });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    expect(records(piped.stdout)).toEqual(records(direct.stdout));
  });

  it('ls lists every good task, reports each bad file once with path, line and reason, and exits 1 only with --strict', () => {
    const dir = tempDir('bad');
    for (const file of ['bench-runner.md', 'release-0-1.md']) cpSync(join(examples, file), join(dir, file));
    writeFileSync(join(dir, 'broken-yaml.md'), '---\nid: broken\ntitle: a: b\nstatus: todo\n---\n');
    writeFileSync(join(dir, 'list.md'), '---\n- a\n- b\n---\nBody.\n');
    writeFileSync(join(dir, 'binary.md'), Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0x01, 0x02, 0xff, 0x0a]));
    writeFileSync(join(dir, 'dup-a.md'), '---\nid: dup\ntitle: First\nstatus: todo\n---\n');
    writeFileSync(join(dir, 'dup-b.md'), '---\ntitle: Second\nid: dup\nstatus: done\n---\n');
    const expectedErrors = [
      { path: 'binary.md', line: 1, reason: 'binary file (contains NUL bytes), not a markdown task' },
      { path: 'broken-yaml.md', line: 3, reason: expect.stringMatching(/^invalid YAML: .+/) },
      { path: 'dup-b.md', line: 3, reason: "id 'dup' is already used by dup-a.md" },
      { path: 'list.md', line: 2, reason: 'front matter is a list, not a mapping of task fields' },
    ];

    for (const strict of [false, true]) {
      const r = strata(['tasks', 'ls', '--dir', dir, '--sort', 'id', '-o', 'ndjson', ...(strict ? ['--strict'] : [])]);
      expect(records(r.stdout).map((t) => [t.id, t.path])).toEqual([['bench-runner', 'bench-runner.md'], ['dup', 'dup-a.md'], ['release-0-1', 'release-0-1.md']]);
      const errLines = lines(r.stderr);
      const errors = errLines.slice(0, 4).map((l) => JSON.parse(l).error);
      expect(errors).toEqual(expectedErrors.map((e) => ({ code: 'TASK_FILE_INVALID', message: expect.stringMatching(new RegExp(`^${e.path}:${e.line}: `)), ...e })));
      if (strict) {
        expect(r.code).toBe(1);
        expect(errLines.slice(4)).toEqual([`strata: in ${dir}: 4 file(s) are not valid tasks — See the errors above, or drop --strict to list the valid tasks only.`]);
      } else {
        expect(r.code).toBe(0);
        expect(errLines).toHaveLength(4);
      }
    }
  });

  it('add creates a file, show returns it, set changes only its lines, a bad status or an unknown id is refused', () => {
    const dir = copyExamples();
    const started = Date.now();
    const added = strata(['tasks', 'add', '--dir', dir, '--title', 'Tune the S3 read-ahead', '--tag', 's3,perf', '--priority', 'high', '--body', 'Measure first.', 'estimated_hours=3', 'sprint=12', '-o', 'ndjson']);
    expect(added.code).toBe(0);
    expect(added.stderr).toBe('');
    const [rec] = records(added.stdout);
    const at = rec.created_at as string;
    expect(Date.parse(at)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(at)).toBeLessThanOrEqual(Date.now());
    const task = {
      id: 'tune-the-s3-read-ahead', title: 'Tune the S3 read-ahead', description: '', agent: null, status: 'todo', priority: 'high',
      created_at: at, updated_at: at, due_date: null, dependencies: [], tags: ['s3', 'perf'], notes: '', estimated_hours: 3,
      actual_hours: null, assignee: null, sprint: 12, path: 'tune-the-s3-read-ahead.md',
    };
    expect(records(added.stdout)).toEqual([task]);
    expect(readFileSync(join(dir, 'tune-the-s3-read-ahead.md'), 'utf8')).toBe(
      `---\nid: tune-the-s3-read-ahead\ntitle: Tune the S3 read-ahead\ndescription: ''\nagent: null\nstatus: todo\npriority: high\n` +
        `created_at: '${at}'\nupdated_at: '${at}'\ndue_date: null\ndependencies: []\ntags:\n- s3\n- perf\nnotes: ''\n` +
        `estimated_hours: 3\nactual_hours: null\nassignee: null\nsprint: 12\n---\n\nMeasure first.\n`,
    );
    // the same title again gets the next free id
    const again = strata(['tasks', 'add', '--dir', dir, '--title', 'Tune the S3 read-ahead', '-o', 'ndjson']);
    expect(ids(again.stdout)).toEqual(['tune-the-s3-read-ahead-2']);

    const shown = strata(['tasks', 'show', 'tune-the-s3-read-ahead', '--dir', dir, '-o', 'ndjson']);
    expect(shown.code).toBe(0);
    expect(records(shown.stdout)).toEqual([{ ...task, blocked_by: [], body: '\nMeasure first.\n' }]);

    // a hand-written file: unknown keys, a comment, folded strings and a body stay byte for byte
    const file = join(dir, 'adaptive-concurrency.md');
    const original = readFileSync(file, 'utf8').replace('\nagent: OPSWARDEN\n', "\nagent: OPSWARDEN\nsprint: 7  # planning\nreviewer: 'Ana'\n");
    expect(original).toContain('\nstatus: in_progress\n');
    writeFileSync(file, original);
    const set = strata(['tasks', 'set', 'adaptive-concurrency', 'status=done', '--dir', dir, '-o', 'ndjson']);
    expect(set.code).toBe(0);
    const [changed] = records(set.stdout);
    expect(changed).toMatchObject({ id: 'adaptive-concurrency', status: 'done', sprint: 7, reviewer: 'Ana' });
    expect(changed.updated_at).not.toBe('2025-07-26T17:55:00+00:00');
    expect(Date.parse(changed.updated_at as string)).toBeGreaterThanOrEqual(started - 1000);
    const after = original.replace('\nstatus: in_progress\n', '\nstatus: done\n').replace("\nupdated_at: '2025-07-26T17:55:00+00:00'\n", `\nupdated_at: '${changed.updated_at}'\n`);
    expect(after).not.toBe(original);
    expect(readFileSync(file, 'utf8')).toBe(after);

    const bytes = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const bogus = strata(['tasks', 'set', 'adaptive-concurrency', 'status=bogus', '--dir', dir, '-o', 'ndjson']);
    expect(bogus.code).toBe(2);
    expect(bogus.stdout).toBe('');
    expect(bogus.stderr).toContain(`status 'bogus' is not one of ${STATUSES}`);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);

    // TASK_NOT_FOUND is a usage error (exit 2), named in one line, no stack trace
    const missing = strata(['tasks', 'show', 'no-such-id', '--dir', dir, '-o', 'ndjson']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`strata: no task with id 'no-such-id' in ${dir} — Run \`tasks ls\` to see the ids.\n`);
  });

  it('a warm ls is an index hit; after one file changes it is stale and only that file is read again', () => {
    const dir = copyExamples();
    const ls = (...extra: string[]) => strata(['tasks', 'ls', '--dir', dir, '--status', 'todo', '-o', 'ndjson', '--stats', ...extra]);
    const cacheLine = (stderr: string) => lines(stderr).filter((l) => l.startsWith('cache disk'));

    const cold = ls();
    expect(cold.code).toBe(0);
    expect(cacheLine(cold.stderr)).toEqual(['cache disk  hits 0  misses 1  hit ratio 0.0%  evictions 0']);
    const warm = ls();
    expect(cacheLine(warm.stderr)).toEqual(['cache disk  hits 1  misses 0  hit ratio 100.0%  evictions 0']);
    expect(warm.stdout).toBe(cold.stdout);

    // `changed` gets a new mtime; `untouched` gets new bytes of the same size with its old mtime,
    // which only a read of the file could notice
    const [changed, untouched] = todo;
    const edit = (t: { file: string }) => readFileSync(join(dir, t.file), 'utf8').replace('\nstatus: todo\n', '\nstatus: done\n');
    const halfHourAgo = new Date(Date.now() - 1_800_000);
    writeFileSync(join(dir, changed.file), edit(changed));
    utimesSync(join(dir, changed.file), halfHourAgo, halfHourAgo);
    const before = statSync(join(dir, untouched.file));
    writeFileSync(join(dir, untouched.file), edit(untouched));
    utimesSync(join(dir, untouched.file), before.atime, before.mtime);
    expect(statSync(join(dir, untouched.file)).size).toBe(before.size);

    const stale = ls();
    expect(cacheLine(stale.stderr)).toEqual(['cache disk  hits 0  misses 0  hit ratio -  evictions 0  stale 1']);
    expect(ids(stale.stdout)).toEqual(todo.filter((t) => t !== changed).map((t) => t.id));
    expect(ls().stdout).toBe(stale.stdout);
    // --refresh reads every file again and sees the other edit too
    const refreshed = ls('--refresh');
    expect(cacheLine(refreshed.stderr)).toEqual(['cache disk  hits 0  misses 1  hit ratio 0.0%  evictions 0']);
    expect(ids(refreshed.stdout)).toEqual(todo.filter((t) => t !== changed && t !== untouched).map((t) => t.id));
  });

  it('a task index with a changed byte (a record, a column, the meta) is never served: ls, show and stats print what a sound index gives', () => {
    const dir = copyExamples();
    // a task only the full YAML reader reads (a comment, a block scalar): a fresh process must load it to read the file again
    writeFileSync(join(dir, 'yaml-only.md'), "---\nid: yaml-only\ntitle: Needs the full YAML reader\nstatus: todo  # planning\npriority: high\nnotes: |\n  Two lines,\n  kept.\ntags: [aws]\n---\nBody.\n");
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'yaml-only.md'), hourAgo, hourAgo);
    utimesSync(dir, hourAgo, hourAgo);
    const cacheDir = tempDir('corrupt-cache');
    const own = { ...env, STRATA_CACHE_DIR: cacheDir };
    const commands = [
      ['tasks', 'ls', '--dir', dir, '-o', 'ndjson'],
      ['tasks', 'ls', '--dir', dir, '--sort', 'title', '-o', 'ndjson'],
      ['tasks', 'ls', '--dir', dir, '--status', 'todo', '-o', 'table'],
      ['tasks', 'show', 'adaptive-concurrency', '--dir', dir, '-o', 'ndjson'],
      ['tasks', 'show', 'yaml-only', '--dir', dir, '-o', 'ndjson'],
      ['tasks', 'stats', '--dir', dir, '-o', 'ndjson'],
    ];
    const sound = commands.map((args) => strata(args, own));
    for (const r of sound) expect([r.code, r.stderr]).toEqual([0, '']);
    expect(records(sound[4].stdout)).toEqual([expect.objectContaining({ id: 'yaml-only', notes: 'Two lines,\nkept.\n', body: 'Body.\n' })]);
    const [idx] = readdirSync(join(cacheDir, 'tasks')).map((f) => join(cacheDir, 'tasks', f));
    const good = readFileSync(idx);
    const metaOff = good.readDoubleLE(good.length - 32 + 8);
    const meta = JSON.parse(good.subarray(metaOff, good.length - 32).toString()) as { cols: Record<string, { off: number; len: number }> };
    const yamlRecord = good.indexOf('"id":"yaml-only"');
    expect(yamlRecord).toBeGreaterThan(0);
    const damages: [string, (b: Buffer) => void][] = [
      ['a quote at byte 30, inside the first record', (b) => (b[30] = 0x22)],
      ['a letter inside the record of the task only YAML reads', (b) => (b[yamlRecord + 20] ^= 0x01)],
      ...['path', 'status', 'priority', 'id', 'deps', 'due', 'recOff'].map((name): [string, (b: Buffer) => void] => [`a byte of column ${name}`, (b) => (b[meta.cols[name].off + (meta.cols[name].len >> 1)] ^= 0x01)]),
      ['a digit of the meta', (b) => (b[metaOff + 5] ^= 0x01)],
    ];
    for (const [what, damage] of damages) {
      commands.forEach((args, k) => {
        const bytes = Buffer.from(good);
        damage(bytes);
        expect(bytes.equals(good), what).toBe(false);
        writeFileSync(idx, bytes);
        const r = strata(args, own);
        expect({ what, args: args.join(' '), code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ what, args: args.join(' '), code: 0, stderr: '', stdout: sound[k].stdout });
      });
    }
    // and the index left behind serves the next run without reading a file
    const warm = strata(['tasks', 'ls', '--dir', dir, '-o', 'ndjson', '--stats'], own);
    expect(warm.stdout).toBe(sound[0].stdout);
    const after = strata(['tasks', 'ls', '--dir', dir, '-o', 'ndjson', '--stats'], own);
    expect(lines(after.stderr).filter((l) => l.startsWith('cache disk'))).toEqual(['cache disk  hits 1  misses 0  hit ratio 100.0%  evictions 0']);
  }, 120_000);

  it('a --dir that is a file says it is not a folder; a cache dir that cannot be written warns once, with the fix, and the tasks are still listed', () => {
    const file = join(examples, 'release-0-1.md');
    const notFolder = strata(['tasks', 'ls', '--dir', file]);
    expect(notFolder.code).toBe(2);
    expect(notFolder.stdout).toBe('');
    expect(notFolder.stderr).toBe(`strata: task folder ${file} is not a folder — Pass --dir <folder> (the folder that holds the task files), or set tasks.dir in the config.\n`);

    const blocker = join(tempDir('blocker'), 'file');
    writeFileSync(blocker, 'not a folder');
    for (const cacheDir of [blocker, join(blocker, 'cache')]) {
      const r = strata(['tasks', 'ls', '--dir', shared, '--status', 'todo', '-o', 'ndjson'], { ...env, STRATA_CACHE_DIR: cacheDir });
      expect(r.code).toBe(0);
      expect(ids(r.stdout).sort()).toEqual(todo.map((t) => t.id).sort());
      expect(lines(r.stderr)).toEqual([`strata: warning: cache directory ${cacheDir} is not writable (a file is in its path); nothing is cached or logged there — set STRATA_CACHE_DIR to a writable directory`]);
    }
  });

  it('stats counts match the files', () => {
    const r = strata(['tasks', 'stats', '--dir', shared, '-o', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const [stats] = records(r.stdout);
    expect(stats.total).toBe(seen.length);
    expect(stats.by_status).toEqual(countBy('status'));
    expect(stats.by_priority).toEqual(countBy('priority'));
    expect(Object.values(stats.by_status as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(seen.length);
    expect(stats.problems).toBe(0);
  });

  it('watch streams added, changed and removed records for a file, and exits 130 on SIGINT', async () => {
    const dir = tempDir('watch');
    // a file that is invalid from the start is reported once the watcher is ready: the signal to begin
    writeFileSync(join(dir, 'not-a-task.md'), '---\n- a\n---\n');
    const child = spawn(process.execPath, [bin, 'tasks', 'watch', '--dir', dir], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const poll = { timeout: 20_000, interval: 25 };
    try {
      await expect.poll(() => err, poll).toContain('"path":"not-a-task.md"');
      // whole files appear at once (temp name, then rename), so no refresh can see one half written
      const file = join(dir, 'w1.md');
      const write = (text: string) => {
        writeFileSync(join(dir, '.w1.md.tmp'), text);
        renameSync(join(dir, '.w1.md.tmp'), file);
      };
      write('---\nid: w1\ntitle: Watched\nstatus: todo\n---\n');
      await expect.poll(() => lines(out).length, poll).toBe(1);
      write('---\nid: w1\ntitle: Watched\nstatus: in_progress\n---\nBody.\n');
      await expect.poll(() => lines(out).length, poll).toBe(2);
      rmSync(file);
      await expect.poll(() => lines(out).length, poll).toBe(3);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      child.kill('SIGKILL');
    }
    const todoTask = { id: 'w1', title: 'Watched', status: 'todo', path: 'w1.md' };
    const doing = { ...todoTask, status: 'in_progress' };
    expect(records(out)).toEqual([
      { event: 'added', id: 'w1', task: todoTask },
      { event: 'changed', id: 'w1', task: doing },
      { event: 'removed', id: 'w1', task: doing },
    ]);
    expect(out.endsWith('\n')).toBe(true);
    expect(lines(err).map((l) => JSON.parse(l).error)).toEqual([
      { code: 'TASK_FILE_INVALID', message: 'not-a-task.md:2: front matter is a list, not a mapping of task fields', path: 'not-a-task.md', line: 2, reason: 'front matter is a list, not a mapping of task fields' },
    ]);
  }, 60_000);
});
