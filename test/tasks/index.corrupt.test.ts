// A persisted task index with a changed byte is never served: every column, a record, the meta
// and the trailer, each damaged in turn without changing the file's size, and the store must give
// exactly the answers it gives with a sound index (listing, filters, sorts, show, stats, warnings),
// read the task files again only as far as needed, and leave a sound index behind.

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IndexCorruptError, IndexReader, indexPathFor } from '../../src/tasks/index-file.js';
import { nodeTaskFs } from '../../src/tasks/node-fs.js';
import { openTaskStore, type TaskStore } from '../../src/tasks/store.js';
import type { TaskFs } from '../../src/tasks/types.js';
import { ManualClock } from '../../src/util/clock.js';
import { age, EXAMPLES, task, tempDir, writeTask } from './helpers.js';

const clock = new ManualClock(Date.UTC(2025, 9, 15, 12));

/** A task only the `yaml` package reads (a comment, a block scalar): a corrupt record of it is read again through `yaml`. */
const YAML_ONLY = `---
id: yaml-only
title: Needs the full YAML reader
status: todo  # planning
priority: high
agent: OPSWARDEN
assignee: li
due_date: '2025-10-01'
dependencies: [release-0-1]
tags: [aws, yaml]
notes: |
  Two lines,
  kept as a block.
estimated_hours: 2
---
Body of the yaml-only task.
`;

/** examples/tasks, a task that needs `yaml`, a file that is not a task and one with values that do not fit; all dated an hour back. */
function folder(): string {
  const dir = tempDir('corrupt');
  for (const f of fs.readdirSync(EXAMPLES)) writeTask(dir, f, fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
  writeTask(dir, 'yaml-only.md', YAML_ONLY);
  writeTask(dir, 'broken.md', '---\nid: broken\ntitle: [unclosed\n---\n');
  writeTask(dir, 'odd.md', task('odd', { status: 'wip', due_date: "'2025-02-30'", estimated_hours: 'lots' }));
  age(dir);
  return dir;
}

/** The real file system, recording which files have their front matter read. */
function headCounting(): TaskFs & { heads: string[] } {
  const heads: string[] = [];
  return { ...nodeTaskFs, heads, readHead: (p) => (heads.push(path.basename(p)), nodeTaskFs.readHead(p)) };
}

/** Everything `tasks ls`, `show` and `stats` can ask of a store. */
function answers(s: TaskStore) {
  const ids = s.query({ sort: 'id' }).length;
  const all = [...s.list({ sort: 'id' })];
  return {
    ids,
    ndjson: [...s.listText({})],
    byTitle: [...s.list({ sort: 'title' })],
    queries: [
      { status: ['todo'] }, { status: ['todo', 'in_progress'], sort: 'due_date' }, { priority: ['critical'], sort: 'priority', reverse: true },
      { agent: ['OPSWARDEN'] }, { assignee: ['li'] }, { tag: ['aws'], sort: 'created_at' }, { blocked: true }, { sort: 'updated_at', limit: 7 },
      { dueBefore: Date.UTC(2025, 9, 1), sort: 'estimated_hours' }, { dueAfter: Date.UTC(2025, 9, 1) }, { text: 'read-ahead' }, { sort: 'actual_hours' },
      { sort: 'assignee' }, { sort: 'agent', reverse: true },
    ].map((q) => [...s.list(q)].map((t) => t.id)),
    shows: all.map((t) => ({ ...s.get(t.id), blockedBy: s.blockedBy(t.id) })),
    stats: [s.stats(), s.stats({ agent: ['OPSWARDEN'] }), s.stats({ assignee: ['li'], status: ['todo'] })],
    warnings: s.warnings,
    problems: s.problems,
    cycles: s.cycles,
  };
}

/** Every column and record of the index checks out. */
function expectSound(file: string, dir: string): void {
  const reader = IndexReader.open(file, dir);
  expect(reader).toBeDefined();
  try {
    for (const [name, c] of Object.entries(reader!.meta.cols)) expect(() => (c.kind === 'f64' ? reader!.numbers(name) : reader!.column(name)), name).not.toThrow();
    const [off, len, crc] = ['recOff', 'recLen', 'recCrc'].map((n) => reader!.numbers(n));
    for (let i = 0; i < reader!.meta.n; i++) expect(reader!.record(off[i], len[i], crc[i]), `record ${i}`).toBeDefined();
  } finally {
    reader!.close();
  }
}

/** Where things are in a sound index. */
function layout(file: string, dir: string) {
  const reader = IndexReader.open(file, dir)!;
  const size = fs.statSync(file).size;
  const out = {
    cols: reader.meta.cols as Record<string, { off: number; len: number }>,
    recOff: reader.numbers('recOff'),
    recLen: reader.numbers('recLen'),
    paths: reader.column<string>('path'),
    ids: reader.column<string>('id'),
    metaOff: fs.readFileSync(file).readDoubleLE(size - 32 + 8),
    size,
  };
  reader.close();
  return out;
}

describe('a corrupt task index', () => {
  let dir: string;
  let cacheDir: string;
  let file: string;
  let sound: Buffer;
  let expected: ReturnType<typeof answers>;
  let soundHeads: string[];
  let where: ReturnType<typeof layout>;

  beforeAll(async () => {
    dir = folder();
    cacheDir = tempDir('corrupt-cache');
    const cold = await openTaskStore({ dir, cacheDir, clock });
    cold.close();
    file = indexPathFor(cacheDir, dir);
    sound = fs.readFileSync(file);
    expectSound(file, dir);
    where = layout(file, dir);
    // the answers of a warm store on the sound index, and the files it reads for them
    const counting = headCounting();
    const warm = await openTaskStore({ dir, cacheDir, clock, fs: counting });
    expect(warm.indexOutcome).toBe('hit');
    expected = answers(warm);
    warm.close();
    soundHeads = counting.heads;
    expect(fs.readFileSync(file).equals(sound)).toBe(true);
    expect(expected.ids).toBe(52);
    expect(expected.warnings.map((w) => w.path)).toEqual(['odd.md', 'odd.md', 'odd.md']);
  });

  /** Writes the sound index with `damage` done to it (same size), runs the store on it, and checks the answers and what is left behind. */
  async function served(damage: (b: Buffer) => void) {
    const bytes = Buffer.from(sound);
    damage(bytes);
    expect(bytes.equals(sound)).toBe(false);
    expect(bytes.length).toBe(sound.length);
    fs.writeFileSync(file, bytes);
    const counting = headCounting();
    const store = await openTaskStore({ dir, cacheDir, clock, fs: counting });
    const outcome = store.indexOutcome;
    expect(answers(store)).toEqual(expected);
    store.close();
    // the next stores are served right too, and then from a sound index, reading no file
    const next = await openTaskStore({ dir, cacheDir, clock });
    expect(answers(next)).toEqual(expected);
    next.close();
    const last = headCounting();
    const after = await openTaskStore({ dir, cacheDir, clock, fs: last });
    expect(after.indexOutcome).toBe('hit');
    expect(last.heads).toEqual([]);
    after.close();
    expectSound(file, dir);
    return { outcome, heads: counting.heads };
  }

  const rowOf = (id: string) => where.ids.indexOf(id);

  it('a quote or a letter changed inside a record: that task file alone is read again', async () => {
    for (const id of ['adaptive-concurrency', 'release-0-1', 'yaml-only']) {
      const row = rowOf(id);
      const at = where.recOff[row] + Math.floor(where.recLen[row] / 2);
      for (const byte of ['"', 'q']) {
        const { heads } = await served((b) => (b[at] = b[at] === byte.charCodeAt(0) ? 0x5a : byte.charCodeAt(0)));
        expect(heads.sort()).toEqual([...soundHeads, where.paths[row]].sort());
      }
    }
  });

  it('the audit case: byte 30 (inside the first record) turned into a quote', async () => {
    await served((b) => (b[30] = 0x22));
  });

  it('a byte changed in any column, of any kind', async () => {
    const names = Object.keys(where.cols);
    expect(names).toEqual(expect.arrayContaining(['recOff', 'recLen', 'recCrc', 'path', 'size', 'mtime', 'id', 'status', 'agent', 'assignee', 'priority', 'tags', 'deps', 'due', 'created', 'updated', 'est', 'act', 'bad']));
    for (const name of names) {
      const { off, len } = where.cols[name];
      const { outcome } = await served((b) => (b[off + Math.floor(len / 2)] ^= 0x01));
      // the columns a warm start validates with are checked before anything is answered
      if (['path', 'size', 'mtime'].includes(name)) expect(outcome, name).toBe('miss');
    }
  });

  it('a byte changed in the meta or the trailer: a miss, as for a torn file', async () => {
    const digit = sound.indexOf('"n":', where.metaOff) + 4;
    expect(digit).toBeGreaterThan(where.metaOff);
    for (const at of [digit, where.metaOff + 1, where.size - 32 + 9, where.size - 32 + 25, where.size - 2]) {
      const { outcome, heads } = await served((b) => (b[at] ^= 0x04));
      expect(outcome).toBe('miss');
      expect(heads.length).toBeGreaterThanOrEqual(52);
    }
  });

  it('a corrupt record copied into the next index (another file changed) keeps its checksum and is still never served', async () => {
    const row = rowOf('release-0-1');
    const bytes = Buffer.from(sound);
    bytes[where.recOff[row] + 40] ^= 0x02;
    fs.writeFileSync(file, bytes);
    const other = path.join(dir, 'bench-runner.md');
    const original = fs.readFileSync(other, 'utf8');
    try {
      fs.writeFileSync(other, original.replace('title: ', 'title: Changed '));
      age(other, 1_800_000);
      const store = await openTaskStore({ dir, cacheDir, clock });
      expect(store.indexOutcome).toBe('stale');
      // the save copied the damaged record byte for byte, with the checksum it had: it still fails it
      const saved = IndexReader.open(file, dir)!;
      const [off, len, crc] = ['recOff', 'recLen', 'recCrc'].map((n) => saved.numbers(n));
      expect(saved.record(off[row], len[row], crc[row])).toBeUndefined();
      expect(saved.record(off[row + 1], len[row + 1], crc[row + 1])).toBeDefined();
      saved.close();
      expect(store.get('bench-runner')!.title).toMatch(/^Changed /);
      const { blockedBy: _, ...release } = expected.shows.find((s) => s.id === 'release-0-1')!;
      expect(store.get('release-0-1')).toEqual(release);
      store.close();
      const again = await openTaskStore({ dir, cacheDir, clock });
      expect(again.get('release-0-1')).toEqual(release);
      again.close();
    } finally {
      fs.writeFileSync(other, original);
      age(other);
      fs.writeFileSync(file, sound);
    }
    const restored = await openTaskStore({ dir, cacheDir, clock });
    expect(answers(restored)).toEqual(expected);
    restored.close();
  });
});

describe('index checksums', () => {
  it('a damaged column reads as IndexCorruptError, a damaged record as undefined', async () => {
    const dir = tempDir('codec-corrupt');
    const cacheDir = tempDir('codec-corrupt-cache');
    writeTask(dir, 'a.md', task('a', { tags: '[x, y]' }));
    (await openTaskStore({ dir, cacheDir })).close();
    const file = indexPathFor(cacheDir, dir);
    const { cols, recOff, recLen } = layout(file, dir);
    const bytes = fs.readFileSync(file);
    bytes[cols.tags.off + 1] ^= 0x01;
    bytes[recOff[0] + 3] ^= 0x01;
    fs.writeFileSync(file, bytes);
    const reader = IndexReader.open(file, dir)!;
    expect(() => reader.column('tags')).toThrow(IndexCorruptError);
    expect(reader.column('status')).toEqual(['todo']);
    expect(reader.record(recOff[0], recLen[0], reader.numbers('recCrc')[0])).toBeUndefined();
    reader.close();
  });
});
