// The global options of CLI.md as data: the program, completions and docs read this list.

import { OUTPUT_FORMATS } from './globals.js';
import type { OptionDef } from './types.js';

export const GLOBAL_OPTIONS: OptionDef[] = [
  { flags: '-o, --output <format>', summary: 'table (default on a TTY), json (default when piped), ndjson, yaml, csv', choices: OUTPUT_FORMATS },
  { flags: '--profile <name>', summary: 'AWS profile (default: $AWS_PROFILE, else "default")' },
  { flags: '--region <name>', summary: 'AWS region, or "all" to fan out over the enabled regions', complete: 'region' },
  { flags: '--endpoint-url <url>', summary: 'S3/EC2-compatible endpoint (LocalStack, MinIO, s3rver)', type: 'endpoint-url' },
  { flags: '--page-size <n>', summary: 'items per page requested from AWS', type: 'number' },
  { flags: '--max-items <n>', summary: 'stop after n items and print the NextToken to stderr', type: 'number' },
  { flags: '--starting-token <token>', summary: 'resume a listing from a NextToken' },
  { flags: '--no-paginate', summary: 'fetch only the first page' },
  { flags: '--no-cache', summary: 'skip the cache for this run' },
  { flags: '--refresh', summary: 'refetch and rewrite the cache' },
  { flags: '--ttl <duration>', summary: 'override the cache TTL (30s, 5m, 2h, 1d)', type: 'duration' },
  { flags: '--concurrency <n>', summary: 'most requests in flight per service and region', type: 'number' },
  { flags: '--keep-going', summary: 'a failed item becomes an error record on stderr; the rest goes on' },
  { flags: '--progress', summary: 'progress bars on stderr (default: when stderr is a TTY)' },
  { flags: '--no-progress', summary: 'no progress bars' },
  { flags: '--stats', summary: 'print timing, request and cache figures to stderr at the end' },
  { flags: '--config <file>', summary: 'config file (default $STRATA_CONFIG, else ~/.config/strata/config.yaml)', complete: 'file' },
  { flags: '-q, --quiet', summary: 'no warnings' },
  { flags: '-v, --verbose', summary: 'more detail, stack traces on errors' },
];
