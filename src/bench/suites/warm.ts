// Warm suite: what warming buys where a person waits.
//  1. completion: whole-process `strata __complete instance-id i-` answered from a seeded L2,
//     alternated with `node -e 0` (target: within node -e 0 + 40 ms). Needs dist/ (npm run build).
//  2. replay: a recorded-style usage trace (a working day; Zipf-popular command lines and
//     completions, bursts with pauses) replayed on a manual clock through the real engine — once
//     as is, once with the warm planner (rankUsage over the log so far) refreshing every 5 min
//     what expires before the next round. Figure: % of reads answered from cache (target ≥ 90%
//     with warming). Upstream is a stand-in source: the figure is about the cache, not AWS.
//  3. idle daemon: `strata cache warm --every 1h` after its first round, CPU % and RSS over a
//     short window, sampled from /proc (target < 1% CPU, flat memory).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../../config/schema.js';
import { createEngine } from '../../engine/index.js';
import type { Operation } from '../../engine/types.js';
import type { UsageEvent } from '../../metrics/usage-log.js';
import { ManualClock } from '../../util/clock.js';
import { rankUsage } from '../../warm/plan.js';
import { createProcessExecutor } from '../process-executor.js';
import { seededRandom } from '../../util/random.js';
import type { Figure, Suite, SuiteContext } from '../types.js';
import { isBuilt, repositoryRoot } from './startup.js';

const MINUTE = 60_000;

function instancesOp(region: string): Operation {
  return { service: 'ec2', name: 'DescribeInstances', params: {}, scope: { profile: 'default', region } };
}

async function seedInstances(cacheDir: string, n: number): Promise<void> {
  const config = defaultConfig({}, cacheDir);
  config.cache.dir = cacheDir;
  config.cache.ttl = [{ match: '*', ttl: 24 * 60 * MINUTE }];
  const engine = createEngine({ config, warn: () => undefined });
  const records = Array.from({ length: n }, (_, i) => ({ InstanceId: `i-${i.toString(16).padStart(17, '0')}`, Name: `host-${i}`, State: { Name: 'running' }, Region: 'eu-west-1' }));
  for await (const _ of engine.stream(instancesOp('eu-west-1'), async function* () {
    yield* records;
  }));
  await engine.close();
}

async function completion(ctx: SuiteContext, root: string): Promise<Figure[]> {
  if (!isBuilt(root)) {
    ctx.log('warm: skipping the completion figure: dist/ not built (npm run build)');
    return [];
  }
  const cacheDir = join(ctx.tmpDir, 'completion-cache');
  await seedInstances(cacheDir, 200);
  ctx.log('warm: seeded');
  const exec = await createProcessExecutor({ cwd: root, env: { ...process.env, STRATA_CACHE_DIR: cacheDir, XDG_CONFIG_HOME: join(ctx.tmpDir, 'no-config') } });
  const specs = [
    { argv: [process.execPath, '-e', '0'], display: 'node -e 0' },
    { argv: [process.execPath, 'bin/strata.js', '__complete', 'instance-id', 'i-'], display: 'strata __complete instance-id i- (warm L2, 200 ids)' },
  ];
  const wall = specs.map(() => [] as number[]);
  try {
    for (let round = -2; round < (ctx.quick ? 10 : 20) && !ctx.signal.aborted; round++) {
      for (const [k, spec] of specs.entries()) {
        const r = await exec.run(spec, ctx.signal);
        if (r.exitCode !== 0) throw new Error(`${spec.display} exited with ${r.exitCode}`);
        if (round >= 0) wall[k].push(r.wallMs);
      }
    }
  } finally {
    await exec.close();
  }
  const over = wall[1].map((ms, i) => ms - wall[0][i]);
  return [
    { name: 'completion.node-e-0', unit: 'ms', better: 'lower', samples: wall[0], note: 'whole process, wall time' },
    { name: 'completion.instance-id', unit: 'ms', better: 'lower', samples: wall[1], note: 'whole process, wall time, answered from L2' },
    { name: 'completion.instance-id.over-node', unit: 'ms', better: 'lower', samples: over, target: '<= 40', note: 'paired difference per round' },
  ];
}

/** A week of use: 40 command lines (a region × a resource) with Zipf(1) popularity, in bursts. */
const DAYS = 7;

function trace(seed: number, start: number): UsageEvent[] {
  const rnd = seededRandom(seed);
  const lines = Array.from({ length: 40 }, (_, i) => ['ec2', ['instances', 'volumes', 'security-groups', 'subnets'][i % 4], '--region', `r-${Math.floor(i / 4)}`]);
  const weights = lines.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let x = rnd() * total;
    for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) <= 0) return i;
    return weights.length - 1;
  };
  const events: UsageEvent[] = [];
  let t = start;
  for (let day = 0; day < DAYS; day++) {
    t = start + day * 24 * 60 * MINUTE;
    for (let burst = 0; burst < 12; burst++) {
      for (let k = 0; k < 8; k++) {
        const argv = lines[pick()];
        events.push({ t, command: `ec2 ${argv[1]}`, argv, ms: 100, exitCode: 0 });
        t += Math.round(rnd() * 2 * MINUTE);
      }
      t += 20 * MINUTE + Math.round(rnd() * 20 * MINUTE);
    }
  }
  return events;
}

async function replay(ctx: SuiteContext, warming: boolean): Promise<number> {
  const clock = new ManualClock(1_800_000_000_000);
  const config = defaultConfig({}, ctx.tmpDir);
  config.cache.dir = join(ctx.tmpDir, `replay-${warming ? 'warm' : 'cold'}`);
  const engine = createEngine({ config, clock, warn: () => undefined });
  const opOf = (argv: string[]): Operation => ({ service: 'ec2', name: `Describe-${argv[1]}`, params: {}, scope: { profile: 'default', region: argv[3] } });
  const source = async function* () {
    yield { id: 1 };
  };
  const read = async (op: Operation, mode: 'default' | 'refresh') => {
    for await (const _ of engine.stream(op, source, { mode }));
  };
  const events = trace(7, clock.now());
  const history: UsageEvent[] = [];
  const ROUND = 5 * MINUTE;
  let nextRound = clock.now();
  let hits = 0;
  for (const e of events) {
    while (warming && nextRound <= e.t) {
      clock.advance(nextRound - clock.now());
      for (const item of rankUsage(history, { now: clock.now() })) {
        const op = opOf(item.argv);
        let expiring = true;
        for await (const p of engine.peek(engine.key(op))) expiring = p.ttlLeftMs <= ROUND + 30_000;
        if (expiring) await read(op, 'refresh');
      }
      nextRound += ROUND;
    }
    clock.advance(Math.max(0, e.t - clock.now()));
    const op = opOf(e.argv);
    let fresh = false;
    for await (const p of engine.peek(engine.key(op))) fresh = p.fresh;
    if (fresh) hits++;
    await read(op, 'default');
    history.push(e);
  }
  await engine.close();
  return (100 * hits) / events.length;
}

/** The best any predictor can do: the first read of each line cannot have been warmed. */
function replayCeiling(): number {
  const events = trace(7, 0);
  const distinct = new Set(events.map((e) => e.argv.join(' '))).size;
  return 100 * (1 - distinct / events.length);
}

function procSample(pid: number): { cpuTicks: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { cpuTicks: Number(fields[11]) + Number(fields[12]), rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) };
}

async function idleDaemon(ctx: SuiteContext, root: string): Promise<Figure[]> {
  if (!isBuilt(root) || !existsSync('/proc/self/stat')) {
    ctx.log('warm: skipping the idle daemon figure: needs dist/ and /proc');
    return [];
  }
  const tasks = join(ctx.tmpDir, 'tasks');
  mkdirSync(tasks, { recursive: true });
  writeFileSync(join(tasks, 'a.md'), '---\nid: a\ntitle: A\nstatus: todo\n---\n');
  writeFileSync(join(ctx.tmpDir, 'warm.txt'), `tasks ls --dir ${tasks}\n`);
  const child = spawn(process.execPath, ['bin/strata.js', '-q', 'cache', 'warm', '--every', '1h', '--list', join(ctx.tmpDir, 'warm.txt')], {
    cwd: root,
    env: { ...process.env, STRATA_CACHE_DIR: join(ctx.tmpDir, 'daemon-cache'), XDG_CONFIG_HOME: join(ctx.tmpDir, 'no-config') },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.once('exit', r));
  const seconds = ctx.quick ? 10 : 30;
  const ticksPerSecond = 100;
  const cpu: number[] = [];
  const rss: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 2000)); // the first round and start-up are not idle
    if (child.exitCode !== null) throw new Error(`the warm daemon exited with ${child.exitCode}`);
    let prev = procSample(child.pid!);
    const t0 = performance.now();
    let prevT = t0;
    for (let i = 0; i < seconds && !ctx.signal.aborted; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const s = procSample(child.pid!);
      const now = performance.now();
      cpu.push((100 * (s.cpuTicks - prev.cpuTicks)) / ticksPerSecond / ((now - prevT) / 1000));
      rss.push(s.rssKb);
      prev = s;
      prevT = now;
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return [
    { name: 'daemon.idle.cpu', unit: '%', better: 'lower', samples: cpu, target: '< 1', note: `per-second CPU of an idle \`cache warm --every 1h\` over ${seconds} s (/proc ticks at 100 Hz)` },
    { name: 'daemon.idle.rss', unit: 'KiB', better: 'lower', samples: rss, note: 'resident memory each second: flat means no growth' },
    { name: 'daemon.idle.rss-growth', unit: 'KiB', better: 'lower', samples: [rss[rss.length - 1] - rss[0]], note: 'last sample minus first' },
  ];
}

export const suite: Suite = {
  name: 'warm',
  summary: 'completion from a warm cache, trace replay with and without scheduled warming, idle warm daemon',
  async run(ctx) {
    const root = repositoryRoot();
    ctx.log('warm: completion from a warm L2');
    const figures = await completion(ctx, root);
    ctx.log('warm: replaying the usage trace');
    const cold = await replay(ctx, false);
    const warm = await replay(ctx, true);
    figures.push(
      { name: 'replay.hit-rate.no-warming', unit: '%', better: 'higher', samples: [cold], note: `${DAYS}-day synthetic trace, ${DAYS * 96} reads, 40 lines, TTL 5m` },
      { name: 'replay.hit-rate.ceiling', unit: '%', better: 'higher', samples: [replayCeiling()], note: 'share of reads that are not the first of their line: no predictor can beat it' },
      { name: 'replay.hit-rate.warming', unit: '%', better: 'higher', samples: [warm], target: '>= 90', note: 'same trace, warm planner every 5 min' },
    );
    ctx.log('warm: idle daemon');
    figures.push(...(await idleDaemon(ctx, root)));
    return figures;
  },
};
