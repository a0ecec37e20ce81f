// Loading the configuration: defaults < file (YAML) < environment < flags. The file is found
// at --config, else $STRATA_CONFIG, else ~/.config/strata/config.yaml (absent is fine; a named
// file that is missing is an error). Every key is validated where it enters, with a message
// naming the key and the expected form. `yaml` is imported only when a file exists.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileGlob, GLOB_FORMS } from '../cache/glob.js';
import { OUTPUT_FORMATS } from '../cli/globals.js';
import { usageError } from '../errors.js';
import { parseDurationOrNull, parseSizeOrNull } from '../util/units.js';
import { ENDPOINT_URL_FORM, isEndpointUrl, isRedisUrl, REDIS_URL_FORM, maskCredentials } from '../util/urls.js';
import { scheduleShape } from '../warm/schedule.js';
import { type Config, defaultConfig } from './schema.js';

type Check = (value: unknown, key: string) => unknown;

/** `file` is the config file's path, or `$NAME` for a value from the environment. */
function bad(key: string, expected: string, value: unknown, file: string): never {
  if (file.startsWith('$')) throw usageError('BAD_ENV', `${key} must be ${expected}, got ${JSON.stringify(value)}`, `fix or unset ${key} in the environment`);
  throw usageError('BAD_CONFIG', `config ${file}: \`${key}\` must be ${expected}, got ${JSON.stringify(value)}`,
    `fix \`${key}\` in ${file} (see docs/config.md)`);
}

function validators(file: string) {
  const str: Check = (v, k) => (typeof v === 'string' && v.length > 0 ? v : bad(k, 'a non-empty string', v, file));
  const int = (min: number): Check => (v, k) => (Number.isInteger(v) && (v as number) >= min ? v : bad(k, `an integer >= ${min}`, v, file));
  const duration: Check = (v, k) => {
    const ms = typeof v === 'number' ? v : typeof v === 'string' ? parseDurationOrNull(v) : null;
    return ms !== null && ms >= 0 ? ms : bad(k, 'a duration such as 30s, 5m, 2h, 1d (or milliseconds)', v, file);
  };
  const size: Check = (v, k) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' ? parseSizeOrNull(v) : null;
    return n !== null && n >= 0 ? n : bad(k, 'a size such as 64MiB, 512MB (or bytes)', v, file);
  };
  // a refused URL is echoed without the password it may carry (user:password@host)
  const url = (form: string, ok: (text: string) => boolean): Check => (v, k) => (typeof v === 'string' && ok(v) ? v : bad(k, form, typeof v === 'string' ? maskCredentials(v) : v, file));
  // the shape only (croner is loaded when the daemon starts)
  const schedule: Check = (v, k) => {
    try {
      if (typeof v === 'string') {
        scheduleShape(v);
        return v;
      }
    } catch {
      // said below, naming the file and the key
    }
    return bad(k, "a duration of 1s or more such as 15m, or a cron expression such as '*/15 * * * *'", v, file);
  };
  const oneOf = (choices: string[]): Check => (v, k) => (choices.includes(v as string) ? v : bad(k, `one of ${choices.join(', ')}`, v, file));
  const strings: Check = (v, k) =>
    Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string') ? v : bad(k, 'a non-empty list of strings', v, file);
  // compiled here, not at the first lookup, so a bad rule fails at load naming its key
  const glob: Check = (v, k) => {
    if (typeof v !== 'string') return bad(k, GLOB_FORMS, v, file);
    try {
      compileGlob(v);
    } catch {
      bad(k, GLOB_FORMS, v, file);
    }
    return v;
  };
  const ttlRules: Check = (v, k) => {
    if (!Array.isArray(v)) bad(k, 'a list of {match: <glob>, ttl: <duration>}', v, file);
    return v.map((rule, i) => {
      if (rule === null || typeof rule !== 'object') bad(`${k}[${i}]`, '{match: <glob>, ttl: <duration>}', rule, file);
      const r = rule as { match?: unknown; ttl?: unknown };
      return { match: glob(r.match, `${k}[${i}].match`), ttl: duration(r.ttl, `${k}[${i}].ttl`) };
    });
  };
  return { str, int, duration, size, url, schedule, oneOf, strings, ttlRules };
}

/** Every key a config file may set, with its check. */
function schema(file: string): Record<string, Check> {
  const v = validators(file);
  return {
    output: v.oneOf([...OUTPUT_FORMATS]),
    profile: v.str,
    region: v.str,
    endpointUrl: v.url(ENDPOINT_URL_FORM, isEndpointUrl),
    'cache.dir': v.str,
    'cache.memory.maxEntries': v.int(1),
    'cache.memory.maxBytes': v.size,
    'cache.memory.policy': v.oneOf(['sieve', 'lru', 'lfu', 'ttl']),
    'cache.disk.maxBytes': v.size,
    'cache.redisUrl': v.url(REDIS_URL_FORM, isRedisUrl),
    'cache.redisTimeout': v.duration,
    'cache.defaultTtl': v.duration,
    'cache.ttl': v.ttlRules,
    'cache.staleIfError': v.duration,
    'scheduler.concurrency': v.int(1),
    'scheduler.rate': v.int(0),
    'scheduler.retries': v.int(0),
    'tasks.dir': v.str,
    'tasks.statuses': v.strings,
    'tasks.priorities': v.strings,
    'warm.every': v.schedule,
    'warm.list': v.str,
  };
}

function setPath(target: Record<string, any>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
  cur[parts[parts.length - 1]] = value;
}

/** Flattens a parsed file into dotted keys, rejecting unknown ones. */
function applyFile(config: Config, data: unknown, file: string): void {
  if (data === null || data === undefined) return;
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw usageError('BAD_CONFIG', `config ${file}: the top level must be a mapping of keys`, 'see docs/config.md for the keys');
  }
  const checks = schema(file);
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, value] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (checks[key]) {
        setPath(config, key, checks[key](value, key));
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(checks).some((c) => c.startsWith(key + '.'))) {
        walk(value as Record<string, unknown>, key);
      } else {
        throw usageError('BAD_CONFIG', `config ${file}: unknown key \`${key}\``,
          `known keys: ${Object.keys(checks).join(', ')}`);
      }
    }
  };
  walk(data as Record<string, unknown>, '');
}

export interface LoadOptions {
  /** --config */
  file?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  home?: string;
}

export function configPath(opts: LoadOptions): { path: string; explicit: boolean } {
  const home = opts.home ?? homedir();
  if (opts.file) return { path: resolve(opts.cwd, opts.file), explicit: true };
  if (opts.env.STRATA_CONFIG) return { path: resolve(opts.cwd, opts.env.STRATA_CONFIG), explicit: true };
  const base = opts.env.XDG_CONFIG_HOME || join(home, '.config');
  return { path: join(base, 'strata', 'config.yaml'), explicit: false };
}

/** Parses and validates one config file's text on top of the defaults and environment. */
export async function configFromText(text: string, file: string, opts: LoadOptions): Promise<Config> {
  const { parse } = await import('./yaml-parse.js');
  const config = defaultConfig(opts.env, opts.home ?? homedir());
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw usageError('BAD_CONFIG', `config ${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'fix the YAML syntax');
  }
  applyFile(config, data, file);
  applyEnv(config, opts.env);
  return config;
}

function applyEnv(config: Config, env: NodeJS.ProcessEnv): void {
  if (env.STRATA_CACHE_DIR) config.cache.dir = env.STRATA_CACHE_DIR;
  if (env.STRATA_REDIS_URL) config.cache.redisUrl = schema('$STRATA_REDIS_URL')['cache.redisUrl'](env.STRATA_REDIS_URL, 'STRATA_REDIS_URL') as string;
  if (env.STRATA_OUTPUT) config.output = schema('$STRATA_OUTPUT').output(env.STRATA_OUTPUT, 'STRATA_OUTPUT') as Config['output'];
  if (env.AWS_PROFILE) config.profile = env.AWS_PROFILE;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) config.region = region;
  if (env.AWS_ENDPOINT_URL) config.endpointUrl = schema('$AWS_ENDPOINT_URL').endpointUrl(env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL') as string;
}

export async function loadConfig(opts: LoadOptions): Promise<{ config: Config; path: string }> {
  const { path, explicit } = configPath(opts);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (explicit) throw usageError('CONFIG_MISSING', `config file ${path} does not exist`, 'create it or point --config / STRATA_CONFIG at an existing file');
      const config = defaultConfig(opts.env, opts.home ?? homedir());
      applyEnv(config, opts.env);
      return { config, path };
    }
    const why = code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? (err as Error).message})`;
    throw usageError('BAD_CONFIG', `config file ${path} ${why}`, 'point --config / STRATA_CONFIG at a YAML file, or move the folder out of the way');
  }
  return { config: await configFromText(text, path, opts), path };
}
