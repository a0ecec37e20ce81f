// Global options after precedence: flags > environment > config file > defaults.

import { homedir } from 'node:os';
import { profileRegion } from '../config/aws-profile.js';
import type { Config } from '../config/schema.js';
import { usageError } from '../errors.js';
import type { GlobalOptions, OutputFormat } from './globals.js';
import type { IO } from './types.js';

export function resolveGlobals(raw: Record<string, any>, config: Config, io: IO, opts: { endless?: boolean } = {}): GlobalOptions {
  // -o is checked by commander, config.output and $STRATA_OUTPUT by the config loader
  let output = (raw.output ?? config.output ?? (io.stdoutIsTTY ? 'table' : 'json')) as OutputFormat;
  // a command that runs until stopped streams NDJSON unless -o or the config says otherwise
  if (opts.endless && raw.output === undefined && config.output === undefined && output === 'json') output = 'ndjson';
  for (const key of ['pageSize', 'maxItems', 'concurrency'] as const) {
    const v = raw[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      const flag = `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
      throw usageError('BAD_OPTION', `${flag} must be a whole number >= 1, got ${v}`, `e.g. ${flag} 100`);
    }
  }
  if (raw.cache === false && raw.refresh) {
    throw usageError('BAD_OPTION', '--no-cache and --refresh cannot be used together', 'pick one: --no-cache skips the cache, --refresh rewrites it');
  }
  const profile = raw.profile ?? config.profile ?? 'default';
  let region: string | undefined = raw.region ?? config.region;
  let regionKnown = region !== undefined;
  return {
    output,
    profile,
    // --region, $AWS_REGION / $AWS_DEFAULT_REGION, the config file, then the AWS profile's own:
    // ~/.aws/config is read only when something asks (a task or pipeline command never does)
    get region() {
      if (!regionKnown) {
        regionKnown = true;
        region = profileRegion(profile, io.env, io.env.HOME || homedir());
      }
      return region;
    },
    endpointUrl: raw.endpointUrl ?? config.endpointUrl,
    pageSize: raw.pageSize,
    maxItems: raw.maxItems,
    startingToken: raw.startingToken,
    paginate: raw.paginate !== false,
    cacheMode: raw.cache === false ? 'no-cache' : raw.refresh ? 'refresh' : 'default',
    ttl: raw.ttl,
    concurrency: raw.concurrency,
    keepGoing: Boolean(raw.keepGoing),
    progress: raw.progress ?? io.stderrIsTTY,
    stats: Boolean(raw.stats),
    configFile: raw.config,
    quiet: Boolean(raw.quiet),
    verbose: Boolean(raw.verbose),
  };
}
