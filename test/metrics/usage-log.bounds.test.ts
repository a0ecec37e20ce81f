import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readUsage, recordUsage, scrubArgv, subscribeUsageLog, USAGE_FILE, USAGE_FILE_OLD } from '../../src/metrics/usage-log.js';
import { publishCommand } from '../../src/metrics/channels.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { ManualClock } from '../../src/util/clock.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'strata-usage-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ev = (t: number, command = 'ec2 instances', ms = 10) => ({ t, command, argv: [command], ms, exitCode: 0 });

describe('usage log', () => {
  it('appends one line per command and reads them back in time order, filtered by since', async () => {
    recordUsage(dir, ev(3000));
    recordUsage(dir, ev(1000));
    recordUsage(dir, ev(2000, 's3 ls'));
    expect((await readUsage(dir)).map((e) => e.t)).toEqual([1000, 2000, 3000]);
    expect((await readUsage(dir, { since: 2000 })).map((e) => e.command)).toEqual(['s3 ls', 'ec2 instances']);
    expect(await readUsage(join(dir, 'nothing-here'))).toEqual([]);
  });

  it('stays within twice its bound by rotating to one older generation', async () => {
    for (let i = 0; i < 400; i++) recordUsage(dir, ev(i), 4096);
    const size = statSync(join(dir, USAGE_FILE)).size + statSync(join(dir, USAGE_FILE_OLD)).size;
    expect(size).toBeLessThanOrEqual(2 * 4096);
    const kept = await readUsage(dir);
    expect(kept.at(-1)!.t).toBe(399);
    expect(kept.length).toBeGreaterThan(40);
  });

  it('creates a fresh cache dir 0700 and the log 0600', () => {
    const fresh = join(dir, 'new', 'cache');
    recordUsage(fresh, ev(1));
    expect(statSync(join(dir, 'new')).mode & 0o777).toBe(0o700);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(statSync(join(fresh, USAGE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('skips torn or foreign lines', async () => {
    recordUsage(dir, ev(1));
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(dir, USAGE_FILE), '{"t": 2, "comm\nnot json\n{"x":1}\n');
    recordUsage(dir, ev(3));
    expect((await readUsage(dir)).map((e) => e.t)).toEqual([1, 3]);
  });

  it('keeps whole lines when several processes append at once', async () => {
    // Three real processes append 200 lines each to the same log; the module is bundled to
    // plain JS with esbuild so the children run it without a TypeScript loader.
    const { build } = await import('esbuild');
    const out = join(dir, 'writer.mjs');
    await build({
      stdin: {
        contents: `import { recordUsage } from ${JSON.stringify(fileURLToPath(new URL('../../src/metrics/usage-log.ts', import.meta.url)))};
          for (let i = 0; i < 200; i++) recordUsage(process.argv[2], { t: i, command: 'p' + process.pid, argv: [], ms: 1, exitCode: 0 });`,
        resolveDir: dir,
        loader: 'ts',
      },
      bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'silent',
    });
    const logDir = join(dir, 'log');
    const runOne = () => new Promise((res, rej) => spawn(process.execPath, [out, logDir], { stdio: 'inherit' }).on('exit', (c) => (c === 0 ? res(c) : rej(new Error(`exit ${c}`)))));
    await Promise.all([runOne(), runOne(), runOne()]);
    const lines = readFileSync(join(logDir, USAGE_FILE), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(600);
    expect(new Set(lines.map((l) => JSON.parse(l).command)).size).toBe(3);
  });

  it('never writes credentials: URL user info and secret-named flag values are scrubbed', () => {
    expect(scrubArgv(['s3', 'ls', '--endpoint-url', 'http://AKIA:secret@localhost:4569', '--secret-key', 'abc', '--token=xyz', '--starting-token', 'page2']))
      .toEqual(['s3', 'ls', '--endpoint-url', 'http://***@localhost:4569', '--secret-key', '***', '--token=***', '--starting-token', 'page2']);
    recordUsage(dir, { ...ev(1), argv: ['--password', 'hunter2'] });
    expect(readFileSync(join(dir, USAGE_FILE), 'utf8')).not.toContain('hunter2');
  });

  it('records each command published on the command channel, with the metrics it saw', async () => {
    const clock = new ManualClock(5000);
    const metrics = new Metrics(clock);
    metrics.recordRequest({ lane: 'l', operation: 'ec2:DescribeInstances', outcome: 'ok', ms: 12 });
    metrics.recordCache({ tier: 'memory', outcome: 'miss', key: 'k' });
    metrics.recordCache({ tier: 'disk', outcome: 'hit', key: 'k' });
    const stop = subscribeUsageLog(dir, { metrics, clock });
    publishCommand({ command: 'ec2 instances', argv: ['ec2', 'instances'], ms: 42.123456, exitCode: 0, answeredBy: 'disk' });
    stop();
    publishCommand({ command: 'not recorded', argv: [], ms: 1, exitCode: 0 });
    const [e, ...rest] = await readUsage(dir);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ t: 5000, command: 'ec2 instances', ms: 42.123, answeredBy: 'disk', cache: { lookups: 1, hits: 1 } });
    expect(e.operations!['ec2:DescribeInstances'].n).toBe(1);
    expect(existsSync(join(dir, USAGE_FILE))).toBe(true);
  });

  it('counts --refresh lookups as lookups, as the live hit ratio does', async () => {
    const metrics = new Metrics(new ManualClock(0));
    metrics.recordCache({ tier: 'memory', outcome: 'refresh', key: 'a' });
    metrics.recordCache({ tier: 'memory', outcome: 'hit', key: 'b' });
    const stop = subscribeUsageLog(dir, { metrics, clock: new ManualClock(7000) });
    publishCommand({ command: 'ec2 instances', argv: ['ec2', 'instances', '--refresh'], ms: 5, exitCode: 0 });
    stop();
    const events = await readUsage(dir);
    expect(events.find((e) => e.t === 7000)).toMatchObject({ cache: { lookups: 2, hits: 1 } });
    expect(metrics.snapshot().hitRatio).toBe(0.5);
  });
});
