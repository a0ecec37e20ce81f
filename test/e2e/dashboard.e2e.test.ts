// `perf dashboard` looked at in a real terminal: tmux runs it beside a real warm daemon that
// publishes live metrics; the screen is captured, refreshed in place, and `q` quits.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'strata-dash-'));
const cacheDir = join(dir, 'cache');
const session = `strata-dash-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session).stdout;
const env = { ...process.env, STRATA_CACHE_DIR: cacheDir, XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir };

afterAll(() => {
  tmux('kill-session', '-t', session);
});

describe('perf dashboard in a terminal', () => {
  it('shows a running daemon live, refreshes in place, and quits on q', async () => {
    const tasks = join(dir, 'tasks');
    mkdirSync(tasks);
    writeFileSync(join(tasks, 'a.md'), '---\nid: a\ntitle: A\nstatus: todo\n---\n');
    writeFileSync(join(dir, 'warm.txt'), `tasks ls --dir ${tasks}\n`);
    const daemon = spawn(process.execPath, [join(root, 'bin/strata.js'), '-q', 'cache', 'warm', '--every', '1h', '--list', join(dir, 'warm.txt')], { env, stdio: 'ignore' });
    const exited = new Promise((r) => daemon.once('exit', r));
    try {
      const started = tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '-e', `STRATA_CACHE_DIR=${cacheDir}`, '-e', `XDG_CONFIG_HOME=${join(dir, 'config')}`, `${process.execPath} ${join(root, 'bin/strata.js')} perf dashboard --interval 200ms; echo dashboard-exit=$?; sleep 30`);
      expect(started.status, started.stderr).toBe(0);
      await expect.poll(screen, { timeout: 15_000, interval: 200 }).toMatch(new RegExp(`strata perf · .*up \\d+s`));
      const first = screen();
      expect(first).toContain('requests/s');
      expect(first).toContain('hit ratio');
      expect(first).toContain('q or Ctrl-C quits');
      // the uptime moves on while the frame stays one frame: redrawn in place, not scrolled
      const uptime = (s: string) => Number(/up (\d+)s/.exec(s)?.[1]);
      await expect.poll(() => uptime(screen()), { timeout: 10_000, interval: 250 }).toBeGreaterThan(uptime(first));
      expect(screen().match(/strata perf ·/g)?.length).toBe(1);
      tmux('send-keys', '-t', session, 'q');
      await expect.poll(screen, { timeout: 10_000, interval: 200 }).toContain('dashboard-exit=0');
    } finally {
      daemon.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);
});
