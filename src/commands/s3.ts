// `strata s3 ...`: listings through the engine (cached, streamed page by page) and transfers
// through the scheduler. Definitions are light; AWS code loads inside `run`.

import { isAbsolute, resolve, sep } from 'node:path';
import type { CommandContext, CommandDef, OptionDef, Rec } from '../cli/types.js';
import { isS3Url } from '../aws/s3/url.js';

const BANDWIDTH: OptionDef = { flags: '--max-bandwidth <rate>', summary: 'cap transfer speed in bytes per second, e.g. 50MB (or 50MB/s)' };

async function runtime(ctx: CommandContext) {
  const { runtimeFrom } = await import('../aws/runtime.js');
  return runtimeFrom(ctx);
}

function paging(ctx: CommandContext) {
  const g = ctx.globals;
  return {
    paging: { pageSize: g.pageSize, maxItems: g.maxItems, startingToken: g.startingToken, paginate: g.paginate },
    onNextToken: (t: string) => ctx.io.stderr.write(`NextToken: ${t}\n`),
  };
}

async function transferEnv(ctx: CommandContext, label: string) {
  const [{ byteLimiter }, { createProgress }, { parseSize }] = await Promise.all([
    import('../aws/s3/bandwidth.js'),
    import('../aws/s3/progress.js'),
    import('../util/units.js'),
  ]);
  const rate = ctx.opts.maxBandwidth ? parseSize(String(ctx.opts.maxBandwidth).replace(/\/s$/i, ''), '--max-bandwidth') : undefined;
  const rt = await runtime(ctx);
  const progress = await createProgress(ctx.globals.progress, ctx.io.stderr, label);
  return { rt, limiter: byteLimiter(rate), progress };
}

/** A local path relative to the command's working directory (kept as typed in process runs). */
function local(ctx: CommandContext, p: string): string {
  if (isS3Url(p) || isAbsolute(p)) return p;
  const abs = resolve(ctx.io.cwd, p);
  return /[/\\]$/.test(p) ? abs + sep : abs;
}

async function* transfer(ctx: CommandContext, rawSrc: string, rawDst: string, recursive: boolean): AsyncGenerator<Rec> {
  // the AWS CLI's `-` is stdin or stdout; here stdout carries the records: say so, not use a file named -
  if (rawSrc === '-' || rawDst === '-') {
    const { usageError } = await import('../errors.js');
    throw usageError('BAD_PATH', `${rawSrc === '-' ? 'uploading from stdin' : 'downloading to stdout'} (-) is not supported: stdout carries the records`, 'give a file or folder path');
  }
  const src = local(ctx, rawSrc);
  const dst = local(ctx, rawDst);
  const { copy } = await import('../aws/s3/cp.js');
  const env = await transferEnv(ctx, recursive ? 'copy' : 'transfer');
  try {
    yield* copy(env, src, dst, { recursive, onItemError: (err, item) => ctx.reportError(err, item) });
  } finally {
    env.progress.stop();
  }
}

const buckets: CommandDef = {
  name: 's3 buckets',
  summary: 'List buckets',
  output: 'Name, CreationDate',
  examples: [{ summary: 'all buckets', argv: ['s3', 'buckets'] }],
  async *run(ctx) {
    const { listBuckets } = await import('../aws/s3/list.js');
    const p = paging(ctx);
    yield* listBuckets(await runtime(ctx), p.paging, p.onNextToken);
  },
};

const ls: CommandDef = {
  name: 's3 ls',
  summary: 'List one level of a bucket (prefixes and objects), or every key with --recursive',
  description: 'Streamed page by page. A common prefix is a record with Type "prefix"; objects have Type "object".',
  args: [{ name: 'url', summary: 's3://bucket[/prefix]', required: true, complete: 's3-url' }],
  options: [{ flags: '-r, --recursive', summary: 'list every key below the prefix' }],
  output: 'Type, Key, Size, LastModified, ETag, StorageClass, Bucket (objects); Type, Prefix, Bucket (prefixes)',
  examples: [
    { summary: 'top level of a bucket', argv: ['s3', 'ls', 's3://my-bucket'] },
    { summary: 'every key below logs/', argv: ['s3', 'ls', 's3://my-bucket/logs/', '--recursive', '-o', 'ndjson'] },
  ],
  async *run(ctx) {
    const [{ listObjects }, { parseS3Url }] = await Promise.all([import('../aws/s3/list.js'), import('../aws/s3/url.js')]);
    const loc = parseS3Url(String(ctx.args.url));
    yield* listObjects(await runtime(ctx), loc, { recursive: Boolean(ctx.opts.recursive), ...paging(ctx) });
  },
};

const du: CommandDef = {
  name: 's3 du',
  summary: 'Object count and bytes below a prefix, in constant memory',
  args: [{ name: 'url', summary: 's3://bucket[/prefix]', required: true, complete: 's3-url' }],
  options: [
    { flags: '--by <grouping>', summary: 'total, prefix or storage-class', choices: ['total', 'prefix', 'storage-class'], default: 'total' },
    { flags: '--depth <n>', summary: 'with --by prefix: path levels below the given prefix', type: 'number', default: 1 },
  ],
  output: 'Prefix, Objects, Bytes (and StorageClass with --by storage-class)',
  examples: [
    { summary: 'size of a bucket', argv: ['s3', 'du', 's3://my-bucket'] },
    { summary: 'size of each top-level folder', argv: ['s3', 'du', 's3://my-bucket', '--by', 'prefix', '--depth', '1'] },
  ],
  async *run(ctx) {
    const [{ listObjects }, { parseS3Url }, { diskUsage }, { usageError }] = await Promise.all([
      import('../aws/s3/list.js'),
      import('../aws/s3/url.js'),
      import('../aws/s3/du.js'),
      import('../errors.js'),
    ]);
    const loc = parseS3Url(String(ctx.args.url));
    const depth = Number(ctx.opts.depth ?? 1);
    if (!Number.isInteger(depth) || depth < 1) throw usageError('BAD_OPTION', `--depth must be a whole number >= 1, got ${ctx.opts.depth}`, 'e.g. --depth 2');
    const by = String(ctx.opts.by ?? 'total');
    const grouping = by === 'prefix' ? { by: 'prefix' as const, depth } : by === 'storage-class' ? { by: 'storage-class' as const } : { by: 'total' as const };
    yield* diskUsage(listObjects(await runtime(ctx), loc, { recursive: true }), loc.key, grouping);
  },
};

const get: CommandDef = {
  name: 's3 get',
  summary: 'Download an object with parallel ranged GETs (no partial file under the final name)',
  args: [
    { name: 'url', summary: 's3://bucket/key', required: true, complete: 's3-url' },
    { name: 'dest', summary: 'file or directory (default: the current directory)', complete: 'file' },
  ],
  options: [BANDWIDTH],
  output: 'Source, Destination, Bytes, ETag',
  examples: [{ summary: 'download into the current directory', argv: ['s3', 'get', 's3://my-bucket/data/file.bin'] }],
  async *run(ctx) {
    const { parseObjectUrl } = await import('../aws/s3/url.js');
    const src = String(ctx.args.url);
    parseObjectUrl(src);
    yield* transfer(ctx, src, ctx.args.dest ? String(ctx.args.dest) : ctx.io.cwd + sep, false);
  },
};

const put: CommandDef = {
  name: 's3 put',
  summary: 'Upload a file (multipart in parallel when large; aborted cleanly on Ctrl-C)',
  args: [
    { name: 'file', summary: 'local file', required: true, complete: 'file' },
    { name: 'url', summary: 's3://bucket/key, or s3://bucket/prefix/ to keep the file name', required: true, complete: 's3-url' },
  ],
  options: [BANDWIDTH],
  output: 'Source, Destination, Bytes, ETag',
  examples: [{ summary: 'upload under a prefix', argv: ['s3', 'put', 'report.csv', 's3://my-bucket/reports/'] }],
  async *run(ctx) {
    const { parseS3Url } = await import('../aws/s3/url.js');
    const { usageError } = await import('../errors.js');
    const file = String(ctx.args.file);
    if (/^s3:\/\//i.test(file)) {
      const url = String(ctx.args.url);
      // `s3 put s3://b/k ./file` is a swapped pair; `s3 put s3://a/k s3://b/k` a copy between buckets
      const hint = /^s3:\/\//i.test(url) ? 'use s3 cp to copy between S3 locations' : `the file comes first: s3 put ${url} ${file} (or s3 get ${file} ${url} to download)`;
      throw usageError('BAD_ARGUMENT', `s3 put uploads a local file; '${file}' is an S3 URL`, hint);
    }
    parseS3Url(String(ctx.args.url));
    yield* transfer(ctx, file, String(ctx.args.url), false);
  },
};

const cp: CommandDef = {
  name: 's3 cp',
  summary: 'Copy local → S3, S3 → local or S3 → S3; --recursive for whole prefixes and directories',
  args: [
    { name: 'src', summary: 'local path or s3:// URL', required: true, complete: 'file' },
    { name: 'dst', summary: 'local path or s3:// URL', required: true, complete: 'file' },
  ],
  options: [{ flags: '-r, --recursive', summary: 'copy everything below the source' }, BANDWIDTH],
  output: 'Source, Destination, Bytes, ETag (one per object, as each finishes)',
  examples: [
    { summary: 'upload a directory, 32 files at a time', argv: ['s3', 'cp', './site', 's3://my-bucket/site/', '--recursive', '--concurrency', '32'] },
    { summary: 'copy between buckets on the server side', argv: ['s3', 'cp', 's3://src-bucket/a.txt', 's3://dst-bucket/'] },
  ],
  run: (ctx) => transfer(ctx, String(ctx.args.src), String(ctx.args.dst), Boolean(ctx.opts.recursive)),
};

const rm: CommandDef = {
  name: 's3 rm',
  summary: 'Delete an object, or with --recursive every object under a prefix (1,000 keys a request)',
  args: [{ name: 'url', summary: 's3://bucket/key, or s3://bucket/prefix/ with --recursive', required: true, complete: 's3-url' }],
  options: [
    { flags: '-r, --recursive', summary: 'delete every key under the prefix (listed fresh, not from the cache)' },
    { flags: '--dry-run', summary: 'list what would be deleted; delete nothing' },
  ],
  output: 'Bucket, Key, Deleted (one per object)',
  examples: [
    { summary: 'what deleting a prefix would remove', argv: ['s3', 'rm', 's3://my-bucket/logs/', '--recursive', '--dry-run'] },
    { summary: 'delete one object', argv: ['s3', 'rm', 's3://src-bucket/a.txt'] },
  ],
  async *run(ctx) {
    const [{ parseS3Url }, { removeObjects }] = await Promise.all([import('../aws/s3/url.js'), import('../aws/s3/rm.js')]);
    const loc = parseS3Url(String(ctx.args.url));
    yield* removeObjects(await runtime(ctx), loc, {
      recursive: Boolean(ctx.opts.recursive),
      dryRun: Boolean(ctx.opts.dryRun),
      onItemError: ctx.globals.keepGoing ? (err, item) => ctx.reportError(err, item) : undefined,
    });
  },
};

export const s3Commands: CommandDef[] = [buckets, ls, du, get, put, cp, rm];
