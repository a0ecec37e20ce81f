// For users who prefer the system scheduler to a daemon: `--print-cron` gives a crontab line and
// `--print-systemd` a user timer plus its one-shot service, both running `strata cache warm`
// (one round, then exit) on the schedule given to --every. Durations are translated where the
// target can say them exactly; anything else is a usage error that says what to give instead.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from '../errors.js';
import { formatLine, needsQuoting } from './line-format.js';
import type { Schedule } from './schedule.js';

/** node and the launcher of this installation, absolute: what a crontab or unit must run. */
export function strataLauncher(from = dirname(fileURLToPath(import.meta.url))): [string, string] {
  for (let dir = from; ; dir = dirname(dir)) {
    const bin = join(dir, 'bin', 'strata.js');
    if (existsSync(bin)) return [process.execPath, bin];
    if (dirname(dir) === dir) return [process.execPath, process.argv[1] ?? 'strata'];
  }
}

function warmWords(extra: readonly string[]): string[] {
  return [...strataLauncher(), 'cache', 'warm', '--quiet', '--no-progress', ...extra];
}

/**
 * A word for a systemd unit line: double-quoted when it needs quoting (systemd's quotes wrap whole
 * words), `%` doubled (a specifier otherwise) and `$` doubled (a variable otherwise).
 */
function systemdWord(word: string): string {
  const quoted = needsQuoting(word) ? `"${word.replace(/[\\"]/g, '\\$&')}"` : word;
  return quoted.replace(/%/g, '%%').replace(/\$/g, '$$$$');
}

/** A duration as crontab fields, when cron can say it exactly. */
function cronFields(s: Schedule): string {
  if (s.kind === 'cron') {
    const fields = s.text.split(/\s+/);
    if (fields.length !== 5) throw usageError('BAD_SCHEDULE', `crontab takes five fields; '${s.text}' has ${fields.length}`, 'drop the seconds field');
    return s.text;
  }
  const min = s.intervalMs / 60_000;
  const hours = min / 60;
  if (Number.isInteger(min) && min < 60 && 60 % min === 0) return min === 1 ? '* * * * *' : `*/${min} * * * *`;
  if (Number.isInteger(hours) && hours < 24 && 24 % hours === 0) return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  if (hours === 24) return '0 0 * * *';
  throw usageError('BAD_SCHEDULE', `crontab cannot run something exactly every ${s.text}`, "use minutes dividing an hour (15m), hours dividing a day (6h), 1d, or a cron expression");
}

export function crontabLine(s: Schedule, extra: readonly string[]): string {
  // cron turns an unescaped % into a newline and feeds the rest to stdin
  return `${cronFields(s)} ${formatLine(warmWords(extra)).replace(/%/g, '\\%')} >/dev/null 2>&1`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A five-field cron expression as a systemd OnCalendar= value (steps, lists, ranges). */
function onCalendar(text: string): string {
  const [min, hour, dom, mon, dow] = text.split(/\s+/);
  const field = (f: string) => f.replace(/^\*\/(\d+)$/, '0/$1').replace(/(\d+)-(\d+)/g, '$1..$2');
  const days = dow === '*' ? '' : dow.split(',').map((d) => d.replace(/\d+/g, (n) => DAYS[Number(n)] ?? n).replace('-', '..')).join(',') + ' ';
  if ([min, hour, dom, mon, dow].some((f) => /[A-Za-z?LW#]/.test(f))) {
    throw usageError('BAD_SCHEDULE', `cannot translate '${text}' to a systemd calendar`, 'use numbers, *, */n, lists and ranges, or a duration');
  }
  return `${days}*-${field(mon)}-${field(dom)} ${field(hour)}:${field(min)}:00`;
}

export function systemdUnits(s: Schedule, extra: readonly string[], env: NodeJS.ProcessEnv): string {
  const timerLine = s.kind === 'interval' ? `OnUnitActiveSec=${Math.round(s.intervalMs / 1000)}s` : `OnCalendar=${onCalendar(cronFields(s))}`;
  // Where the cache and config are; never a URL that may carry a password (STRATA_REDIS_URL).
  const environment = ['STRATA_CACHE_DIR', 'STRATA_CONFIG', 'AWS_PROFILE', 'AWS_REGION'].filter((k) => env[k]).map((k) => `Environment=${systemdWord(`${k}=${env[k]}`)}`);
  return [
    '# ~/.config/systemd/user/strata-warm.service',
    '[Unit]',
    'Description=strata cache warming (one round)',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${warmWords(extra).map(systemdWord).join(' ')}`,
    ...environment,
    'Nice=10',
    '',
    '# ~/.config/systemd/user/strata-warm.timer',
    '[Unit]',
    `Description=Run strata cache warm (${s.text})`,
    '',
    '[Timer]',
    'OnBootSec=2min',
    timerLine,
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
    '# enable with: systemctl --user daemon-reload && systemctl --user enable --now strata-warm.timer',
  ].join('\n');
}
