// Global options (CLI.md), typed once. Parsed by the program, merged with env and config.

export type OutputFormat = 'table' | 'json' | 'ndjson' | 'yaml' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson', 'yaml', 'csv'];

export interface GlobalOptions {
  output: OutputFormat;
  profile: string;
  /** A region name, or 'all' to fan out over the enabled regions. */
  region?: string;
  endpointUrl?: string;
  pageSize?: number;
  maxItems?: number;
  startingToken?: string;
  paginate: boolean;
  /** 'no-cache' skips the cache, 'refresh' refetches and rewrites it. */
  cacheMode: 'default' | 'no-cache' | 'refresh';
  /** TTL override in milliseconds. */
  ttl?: number;
  concurrency?: number;
  keepGoing: boolean;
  progress: boolean;
  stats: boolean;
  configFile?: string;
  quiet: boolean;
  verbose: boolean;
}
