import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resources, stopSignalOf } from '../../src/util/resources.js';
import { bundleCli, type Bundle } from './helpers.js';

describe('the resource registry', () => {
  it('drains in-flight work, then releases handles last-opened first', async () => {
    const r = new Resources();
    const order: string[] = [];
    r.register('redis', () => order.push('redis'));
    r.register('watcher', async () => order.push('watcher'));
    let finish!: () => void;
    const work = r.track('round', () => new Promise<void>((res) => (finish = res)).then(() => order.push('round done')));
    const report = r.shutdown({ signal: 'SIGTERM', deadlineMs: 5000 });
    expect(r.stopping).toBe(true);
    await expect(r.track('late', async () => 1)).rejects.toThrow(/shutting down/);
    finish();
    await work;
    expect(await report).toEqual({ signal: 'SIGTERM', exitCode: 0, aborted: [], released: ['watcher', 'redis'], failed: [] });
    expect(order).toEqual(['round done', 'watcher', 'redis']);
    expect(r.open()).toEqual([]);
  });

  it('aborts work still running at the deadline and reports a close that throws; exit 130 on SIGINT', async () => {
    const r = new Resources();
    r.register('mount', () => {
      throw new Error('device busy');
    });
    r.register('timer', () => undefined);
    const stuck = r.track('upload', () => new Promise((_, reject) => r.workSignal.addEventListener('abort', () => reject(r.workSignal.reason))));
    stuck.catch(() => undefined);
    const report = await r.shutdown({ signal: 'SIGINT', deadlineMs: 20, graceMs: 100 });
    expect(report).toEqual({ signal: 'SIGINT', exitCode: 130, aborted: ['upload'], released: ['timer'], failed: [{ name: 'mount', message: 'device busy' }] });
    expect(r.workSignal.aborted).toBe(true);
  });

  it('a handle registered during shutdown is released at once', async () => {
    const r = new Resources();
    void r.shutdown({ signal: 'SIGTERM' });
    let closed = false;
    r.register('late client', () => (closed = true));
    await new Promise((res) => setImmediate(res));
    expect(closed).toBe(true);
  });

  it('tells SIGTERM from SIGINT by the abort reason src/main.ts gives', () => {
    const c = new AbortController();
    c.abort(new Error('terminated'));
    expect(stopSignalOf(c.signal)).toBe('SIGTERM');
    const i = new AbortController();
    i.abort(new Error('interrupted'));
    expect(stopSignalOf(i.signal)).toBe('SIGINT');
    // stdout's reader gone (`| head`) stops a long-running command as SIGTERM does, not as Ctrl-C
    const p = new AbortController();
    p.abort(new Error('broken pipe'));
    expect(stopSignalOf(p.signal)).toBe('SIGTERM');
  });
});

describe('the warm daemon as a real process', () => {
  let bundle: Bundle;
  let dir: string;
  beforeAll(async () => {
    bundle = await bundleCli();
    dir = mkdtempSync(join(tmpdir(), 'strata-daemon-proc-'));
    mkdirSync(join(dir, 'tasks'));
    writeFileSync(join(dir, 'tasks', 'one.md'), '---\nid: one\ntitle: One\nstatus: todo\n---\n');
    writeFileSync(join(dir, 'warm.txt'), `tasks ls --dir ${join(dir, 'tasks')}\n`);
  }, 60_000);
  afterAll(() => bundle?.remove());

  it.each([
    ['SIGTERM', 0],
    ['SIGINT', 130],
  ] as const)('%s: finishes, releases its lock and live file, and exits %i by itself', async (sig, code) => {
    const cache = join(dir, `cache-${sig}`);
    const child = spawn(process.execPath, [bundle.entry, '-o', 'ndjson', 'cache', 'warm', '--every', '1h', '--list', join(dir, 'warm.txt')], {
      env: { PATH: process.env.PATH, HOME: dir, STRATA_CACHE_DIR: cache },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    // Records reach stdout in 64 KB batches (src/output/sink.ts), so the first round shows in the
    // cache: the tasks index it built, the live metrics it publishes, the lock it released.
    const built = () => existsSync(join(cache, 'tasks')) && readdirSync(join(cache, 'tasks')).some((f) => f.endsWith('.idx'));
    await expect.poll(built, { timeout: 15_000 }).toBe(true);
    await expect.poll(() => existsSync(join(cache, 'live', `${child.pid}.json`)), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => readdirSync(join(cache, 'locks')).filter((f) => f.endsWith('.lock')), { timeout: 5_000 }).toEqual([]);
    child.kill(sig);
    // One signal only: a second would make src/main.ts exit at once. Exiting by itself proves nothing is left open.
    expect(await exited).toBe(code);
    expect(err).toBe('');
    expect(JSON.parse(out.trim())).toMatchObject({ round: 1, failed: 0 });
    expect(existsSync(join(cache, 'live', `${child.pid}.json`))).toBe(false);
  }, 30_000);
});
