// Synthetic task folders for benchmarks and tests: deterministic (seeded), shaped like the seed
// (same keys, PyYAML style, a markdown body), with dependencies on earlier tasks. Files get an
// old mtime, as after a git checkout, so a fresh index does not treat them as racily modified.

import fs from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../util/random.js';
import { DEFAULT_TASK_PRIORITIES, DEFAULT_TASK_STATUSES } from '../config/schema.js';

const STATUSES = DEFAULT_TASK_STATUSES;
const PRIORITIES = DEFAULT_TASK_PRIORITIES;
const AGENTS = ['CODEFORGE', 'OPSWARDEN', 'DOCSMITH', 'TESTPILOT', 'CACHEKEEPER'];
const TAGS = ['cli', 'aws', 's3', 'ec2', 'cache', 'perf', 'docs', 'testing', 'security', 'release', 'mount', 'metrics'];
const WORDS = ['index', 'stream', 'cache', 'bucket', 'region', 'retry', 'limit', 'render', 'parse', 'mount', 'watch', 'query'];
/** 2025-01-01T00:00:00Z: generated mtimes and dates start here. */
export const GENERATED_EPOCH = 1_735_689_600_000;

export function generatedTaskText(i: number, seed = 1): string {
  const r = seededRandom(seed * 1_000_003 + i);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const id = `task-${String(i).padStart(6, '0')}`;
  const w1 = pick(WORDS);
  const w2 = pick(WORDS);
  const day = (n: number) => new Date(GENERATED_EPOCH + n * 86_400_000).toISOString().slice(0, 10);
  const deps = i > 10 && r() < 0.3 ? [`task-${String(Math.floor(r() * i)).padStart(6, '0')}`] : [];
  const tags = [...new Set([pick(TAGS), pick(TAGS), pick(TAGS)].slice(0, 1 + Math.floor(r() * 3)))];
  const est = Math.round(r() * 16) / 2;
  const status = pick(STATUSES);
  const lines = [
    '---',
    `id: ${id}`,
    `title: Improve the ${w1} ${w2} path number ${i}`,
    `description: 'Make the ${w1} handling of the ${w2} layer faster and simpler, with tests and`,
    `  figures in the docs for task ${i}.`,
    '',
    "  '",
    `agent: ${pick(AGENTS)}`,
    `status: ${status}`,
    `priority: ${pick(PRIORITIES)}`,
    `created_at: '${day(Math.floor(r() * 300))}T09:00:00+00:00'`,
    `updated_at: '${day(300 + Math.floor(r() * 60))}T17:30:00+00:00'`,
    `due_date: ${r() < 0.6 ? `'${day(200 + Math.floor(r() * 400))}'` : 'null'}`,
    deps.length ? `dependencies:\n${deps.map((d) => `- ${d}`).join('\n')}` : 'dependencies: []',
    `tags:\n${tags.map((t) => `- ${t}`).join('\n')}`,
    `notes: ''`,
    `estimated_hours: ${est.toFixed(1)}`,
    `actual_hours: ${status === 'done' ? (est * (0.5 + r())).toFixed(1) : 'null'}`,
    `assignee: ${r() < 0.5 ? pick(['maya', 'tomas', 'li', 'priya']) : 'null'}`,
    '---',
    '',
    '## Task Description',
    '',
    `Work on the ${w1} ${w2} path. Measure before and after; keep memory flat.`,
    '',
    '- [ ] design',
    '- [ ] implement',
    '- [ ] measure',
    '',
  ];
  return lines.join('\n');
}

/** Writes `count` task files into `dir` (created), each with an mtime in 2025. */
export function generateTaskFolder(dir: string, count: number, seed = 1): void {
  fs.mkdirSync(dir, { recursive: true });
  const old = new Date(GENERATED_EPOCH);
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `task-${String(i).padStart(6, '0')}.md`);
    fs.writeFileSync(file, generatedTaskText(i, seed));
    fs.utimesSync(file, old, old);
  }
  fs.utimesSync(dir, old, old);
}
