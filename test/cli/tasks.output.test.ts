import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

function folder(): { dir: string; env: NodeJS.ProcessEnv } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-tasks-output-'));
  const dir = path.join(root, 'tasks');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'good.md'), '---\nid: good\ntitle: Good\nstatus: todo\n---\n');
  fs.writeFileSync(path.join(dir, 'bad.md'), '---\n- a list\n---\n');
  return { dir, env: { HOME: '/nonexistent-home', STRATA_CACHE_DIR: path.join(root, 'cache') } };
}

describe('tasks output through the CLI', () => {
  it('--strict fails with exit 1 after the whole output is out: piped JSON is a closed array', async () => {
    const { dir, env } = folder();
    const res = await runCli(['tasks', 'ls', '--dir', dir, '--strict'], { env });
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toEqual([expect.objectContaining({ id: 'good' })]);
    expect(res.stderr).toMatch(/"path":"bad\.md"/);
    expect(res.stderr).toMatch(/in .*: 1 file\(s\) are not valid tasks/);
    const loose = await runCli(['tasks', 'stats', '--dir', dir, '--strict', '-o', 'json'], { env });
    expect(loose.code).toBe(1);
    expect(JSON.parse(loose.stdout)).toEqual([expect.objectContaining({ total: 1, problems: 1 })]);
  });

  it('tasks watch streams NDJSON when piped without -o (a JSON array would never close); -o json is still honoured', async () => {
    const { dir, env } = folder();
    for (const [argv, first] of [[[], '{'], [['-o', 'json'], '[']] as const) {
      const ac = new AbortController();
      const running = runCli(['tasks', 'watch', '--dir', dir, ...argv], { env, signal: ac.signal });
      await new Promise((r) => setTimeout(r, 400));
      fs.writeFileSync(path.join(dir, `new-${argv.length}.md`), `---\nid: new-${argv.length}\ntitle: New\n---\n`);
      await new Promise((r) => setTimeout(r, 600));
      ac.abort(new Error('terminated'));
      const res = await running;
      expect(res.stdout.startsWith(first)).toBe(true);
      if (first === '{') {
        const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
        expect(lines).toEqual([expect.objectContaining({ event: 'added', id: 'new-0' })]);
      }
      expect(res.stderr).toMatch(/"path":"bad\.md"/);
    }
  });
});
