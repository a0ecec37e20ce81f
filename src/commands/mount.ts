// `strata mount s3://bucket[/prefix] <mountpoint>`: S3 through FUSE, in the foreground until
// Ctrl-C / SIGTERM (ctx.signal) or an `umount` from outside. fuse-native, the AWS SDK and the
// mount machinery load only inside run(). Yields one summary record once unmounted; with
// --stats the full figures go to stderr as JSON.

import type { CommandDef } from '../cli/types.js';
import { usageError } from '../errors.js';

/** 's3://bucket/some/prefix' → { bucket, prefix: 'some/prefix/' }. */
export function parseMountSource(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url.trim());
  if (!m || !m[1]) throw usageError('BAD_S3_URL', `expected s3://bucket[/prefix], got '${url}'`, 'e.g. strata mount s3://my-bucket/data /mnt/data');
  const rest = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1], prefix: rest ? `${rest}/` : '' };
}

const MiB = 1024 * 1024;

export const mountCommands: CommandDef[] = [
  {
    name: 'mount',
    summary: 'Mount an S3 bucket or prefix as a filesystem (FUSE) until Ctrl-C or umount',
    description:
      'Reads go through a memory block cache (--cache-size) and a disk block cache, with read-ahead on sequential reads; ' +
      'writes are staged locally and uploaded on close/fsync (fsync returns once S3 has the data). ' +
      'Figures are in <mountpoint>/.strata-stats.json. Needs libfuse2 (apt-get install libfuse2).',
    args: [
      { name: 'source', summary: 's3://bucket[/prefix]', required: true, complete: 's3-url' },
      { name: 'mountpoint', summary: 'an existing empty directory', required: true, complete: 'dir' },
    ],
    options: [
      { flags: '--read-only', summary: 'refuse writes (EROFS)', type: 'boolean' },
      { flags: '--cache-size <size>', summary: 'memory block cache size, e.g. 64MiB, 1GiB (default 32MiB)', type: 'size', default: 32 * MiB },
      { flags: '--warm <glob>', summary: 'fetch matching files into the disk cache in the background at mount time', repeatable: true },
    ],
    output: 'one record at unmount: Source, Mountpoint, BytesRead, BytesWritten, Uploads, FailedUploads, L1HitRatio, PrefetchAccuracy',
    examples: [
      { summary: 'a source that is not an S3 URL is refused', argv: ['mount', 'bucket/data', '/tmp/strata-mnt'], exitCode: 2 },
    ],
    async *run(ctx) {
      const { bucket, prefix } = parseMountSource(String(ctx.args.source));
      const cacheSize = Number(ctx.opts.cacheSize ?? 32 * MiB);
      if (!(cacheSize >= 8 * MiB)) throw usageError('BAD_OPTION', `--cache-size must be at least 8MiB, got ${cacheSize} bytes`, 'e.g. --cache-size 256MiB');
      const endpoint = ctx.globals.endpointUrl;
      const scope = { profile: ctx.globals.profile, region: ctx.globals.region ?? (endpoint ? 'us-east-1' : ''), ...(endpoint ? { endpoint } : {}) };
      const [{ s3Client }, { mountS3 }, scheduler] = await Promise.all([
        import('../aws/clients.js'),
        import('../mount/mount.js'),
        ctx.services.scheduler(),
      ]);
      const client = await s3Client(scope, { maxSockets: 32 });
      const handle = await mountS3({
        bucket,
        prefix,
        mountpoint: String(ctx.args.mountpoint),
        readOnly: Boolean(ctx.opts.readOnly),
        cacheSize,
        cacheDir: ctx.config.cache.dir,
        client,
        scheduler,
        scope,
        warm: ctx.opts.warm as string[] | undefined,
        warn: (m) => ctx.warn(m),
        signal: ctx.signal,
        gauges: () => {
          const g: Record<string, number> = {};
          for (const lane of scheduler.stats()) {
            g[`${lane.lane}.inFlight`] = lane.inFlight;
            g[`${lane.lane}.queued`] = lane.queued;
            g[`${lane.lane}.limit`] = lane.limit;
          }
          return g;
        },
      });
      const report = await handle.done;
      if (ctx.globals.stats) ctx.io.stderr.write(JSON.stringify(report.metrics, null, 2) + '\n');
      const m = report.metrics;
      const l1 = m.blocks.l1;
      yield {
        Source: m.source,
        Mountpoint: m.mountpoint,
        BytesRead: m.bytes.read,
        BytesWritten: m.bytes.written,
        Uploads: m.writes.uploads,
        FailedUploads: report.failedUploads.length,
        L1HitRatio: l1.hits + l1.misses ? Number((l1.hits / (l1.hits + l1.misses)).toFixed(4)) : null,
        PrefetchAccuracy: m.prefetch.accuracy,
      };
    },
  },
];
