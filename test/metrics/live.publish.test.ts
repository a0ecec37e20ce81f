import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveDir, publishLive, readLive, startLivePublisher } from '../../src/metrics/live.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { ManualClock } from '../../src/util/clock.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'strata-live-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('live snapshots', () => {
  it('publishes a snapshot per process and reads back only live processes', async () => {
    const m = new Metrics(new ManualClock(10));
    m.recordRequest({ lane: 'l', operation: 'op', outcome: 'ok', ms: 3 });
    await publishLive(dir, { ...m.snapshot(), title: 'mount s3://b /mnt' });
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(liveDir(dir), `${deadPid}.json`), JSON.stringify({ ...m.snapshot(), pid: Number(deadPid) }));
    writeFileSync(join(liveDir(dir), 'junk.txt'), 'x');
    const live = await readLive(dir);
    expect(live.map((s) => [s.pid, s.title, s.requests.total])).toEqual([[process.pid, 'mount s3://b /mnt', 1]]);
    expect(await readLive(dir, { pid: 1 })).toEqual([]);
  });

  it('returns nothing when no process ever published', async () => {
    expect(await readLive(join(dir, 'none'))).toEqual([]);
    mkdirSync(liveDir(dir));
    expect(await readLive(dir)).toEqual([]);
  });

  it('republishes on an interval and removes its file when stopped', async () => {
    const m = new Metrics(new ManualClock());
    const stop = startLivePublisher(dir, m, { intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 10));
    m.recordRequest({ lane: 'l', operation: 'op', outcome: 'ok', ms: 3 });
    await expect.poll(async () => (await readLive(dir))[0]?.requests.total, { interval: 10, timeout: 2000 }).toBe(1);
    await stop();
    expect(existsSync(join(liveDir(dir), `${process.pid}.json`))).toBe(false);
  });
});
