// Background refresh for completion: when the cache has nothing (or nothing fresh) for what is
// being completed, the completion answers with what there is and asks a detached
// `strata cache warm --list <file>` to fetch it, so the next <Tab> finds it. The shell is never
// blocked: the child's stdio is ignored and it is unref'd, so this process exits at once.
//
// The list file doubles as the rate limit: one per command line in <cacheDir>/warm/queued/, and a
// line whose file was written less than a minute ago is not queued again (a user pressing <Tab>
// five times starts one refresh, not five).

import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { systemClock, type Clock } from '../util/clock.js';
import { strataLauncher } from './system-units.js';

/** At most one background refresh per command line per minute. */
const REFRESH_EVERY_MS = 60_000;

type SpawnDetached = (argv: string[], env: NodeJS.ProcessEnv) => void | Promise<void>;

/** node:child_process is loaded only when a refresh is really started, not on every <Tab>. */
const spawnDetached: SpawnDetached = async (argv, env) => {
  const { spawn } = await import('node:child_process');
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: 'ignore', env });
  child.on('error', () => undefined);
  child.unref();
};

interface RefreshOptions {
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  /** Global flags the child needs to read the same thing (--profile, --endpoint-url, --config). */
  globalArgs?: string[];
  clock?: Clock;
  spawn?: SpawnDetached;
}

export function queuedFile(cacheDir: string, line: string): string {
  return join(cacheDir, 'warm', 'queued', `${createHash('sha1').update(line).digest('hex').slice(0, 16)}.list`);
}

/** Queues a background warm of `line` unless one was queued in the last minute; true when queued. */
export async function queueRefresh(line: string, opts: RefreshOptions): Promise<boolean> {
  const clock = opts.clock ?? systemClock;
  const file = queuedFile(opts.cacheDir, line);
  try {
    if (clock.now() - statSync(file).mtimeMs < REFRESH_EVERY_MS) return false;
  } catch {
    // Never queued: go on.
  }
  try {
    mkdirSync(join(opts.cacheDir, 'warm', 'queued'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, `# queued by completion\n${line}\n`);
  } catch {
    return false; // A cache dir we cannot write to: completion still answers, nothing is queued.
  }
  await (opts.spawn ?? spawnDetached)([...strataLauncher(), ...(opts.globalArgs ?? []), 'cache', 'warm', '--list', file, '--quiet', '--no-progress', '-o', 'ndjson'], opts.env);
  return true;
}
