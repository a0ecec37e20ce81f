import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProcessExecutor } from '../../src/bench/process-executor.js';
import type { Executor } from '../../src/bench/executor.js';

const node = process.execPath;
let exec: Executor;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-exec-'));
  exec = await createProcessExecutor({ cwd: dir, env: process.env });
});
afterAll(async () => {
  await exec.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('process executor (wait4 helper, real child processes)', () => {
  it('measures resources through the python3 helper on this machine', () => {
    expect(exec.measuresResources).toBe(true);
  });

  it('reports wall, user and system time and the exit code of a real process', async () => {
    const r = await exec.run({ argv: [node, '-e', 'let x = 0; for (let i = 0; i < 3e7; i++) x += i;'], display: 'spin' });
    expect(r.exitCode).toBe(0);
    expect(r.signal).toBeNull();
    expect(r.userMs!).toBeGreaterThan(0);
    expect(r.sysMs!).toBeGreaterThanOrEqual(0);
    expect(r.wallMs).toBeGreaterThan(0);
  });

  it('reports the peak memory of each run separately, not the largest child so far', async () => {
    const big = await exec.run({ argv: [node, '-e', 'const b = Buffer.alloc(200 * 1024 * 1024, 1); console.log(b[5])'], display: 'big' });
    const small = await exec.run({ argv: [node, '-e', '0'], display: 'small' });
    expect(big.maxRssKb!).toBeGreaterThan(200 * 1024);
    expect(small.maxRssKb!).toBeLessThan(big.maxRssKb! - 150 * 1024);
  });

  it('reports a non-zero exit code and a killing signal', async () => {
    expect((await exec.run({ argv: ['false'], display: 'false' })).exitCode).toBe(1);
    const killed = await exec.run({ argv: [node, '-e', 'process.kill(process.pid, "SIGKILL")'], display: 'k' });
    expect(killed).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('feeds --input to stdin and runs in the given directory', async () => {
    writeFileSync(join(dir, 'in.txt'), 'hello');
    const r = await exec.run({
      argv: [node, '-e', 'const s = require("fs").readFileSync(0, "utf8"); process.exit(s === "hello" && require("fs").existsSync("in.txt") ? 0 : 9)'],
      display: 'stdin',
      stdinFile: join(dir, 'in.txt'),
    });
    expect(r.exitCode).toBe(0);
  });

  it('refuses a command that cannot start, naming it and suggesting --shell', async () => {
    const err = await exec.run({ argv: ['no-such-program-xyz'], display: 'no-such-program-xyz' }).catch((e) => e);
    expect(err.code).toBe('BENCH_CANNOT_START');
    expect(err.message).toBe('Cannot start `no-such-program-xyz`: command not found.');
    expect(err.hint).toMatch(/--shell/);
    expect((await exec.run({ argv: ['true'], display: 'true' })).exitCode).toBe(0);
  });

  it('adds a command\'s own variables to the environment, in the helper and without it', async () => {
    const check = { argv: [node, '-e', 'process.exit(process.env.STRATA_X === "1" && process.env.PATH ? 0 : 3)'], display: 'env' };
    const plain = await createProcessExecutor({ cwd: dir, env: process.env, python: 'no-such-python' });
    try {
      for (const e of [exec, plain]) {
        expect((await e.run({ ...check, env: { STRATA_X: '1' } })).exitCode).toBe(0);
        expect((await e.run(check)).exitCode).toBe(3);
      }
    } finally {
      await plain.close();
    }
  });

  it('falls back to wall time only when the helper interpreter is missing', async () => {
    const plain = await createProcessExecutor({ cwd: dir, env: process.env, python: 'no-such-python' });
    expect(plain.measuresResources).toBe(false);
    const r = await plain.run({ argv: ['false'], display: 'false' });
    expect(r).toMatchObject({ exitCode: 1, userMs: null, maxRssKb: null });
    await expect(plain.run({ argv: ['no-such-program-xyz'], display: 'x' })).rejects.toThrow(/Cannot start/);
    await plain.close();
  });
});

describe('peak memory floor', () => {
  it('reports the helper footprint that small commands cannot measure below', async () => {
    const e = await createProcessExecutor({ cwd: process.cwd(), env: process.env });
    const r = await e.run({ argv: ['true'], display: 'true' });
    await e.close();
    expect(e.memoryFloorKb!).toBeGreaterThan(1000);
    expect(r.maxRssKb!).toBeGreaterThanOrEqual(e.memoryFloorKb! * 0.9);
  });
});
