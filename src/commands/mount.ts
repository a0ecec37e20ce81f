// `strata mount s3://bucket[/prefix] <mountpoint>`: S3 through FUSE, in the foreground until
// Ctrl-C / SIGTERM (ctx.signal) or an `umount` from outside. fuse-native, the AWS SDK and the
// mount machinery load only inside run(). Metadata goes through the engine (ctx.services), every
// request through the shared scheduler. Yields one summary record once unmounted (the CLI writes
// it after an interrupt too); with --stats the full figures go to stderr as JSON.

import type { CommandDef } from '../cli/types.js';
import { usageError } from '../errors.js';
import { parseS3Url } from '../aws/s3/url.js';

/** 's3://bucket/some/prefix' → { bucket, prefix: 'some/prefix/' }, validated as every S3 URL is. */
export function parseMountSource(url: string): { bucket: string; prefix: string } {
  const { bucket, key } = parseS3Url(url, 'mount source');
  const rest = key.replace(/^\/+|\/+$/g, '');
  return { bucket, prefix: rest ? `${rest}/` : '' };
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
      const [{ runtimeFrom }, { s3Region }] = await Promise.all([import('../aws/runtime.js'), import('../aws/s3/list.js')]);
      const { bucket, prefix } = parseMountSource(String(ctx.args.source));
      const cacheSize = Number(ctx.opts.cacheSize ?? 32 * MiB);
      if (!(cacheSize >= 8 * MiB)) throw usageError('BAD_OPTION', `--cache-size must be at least 8MiB, got ${cacheSize} bytes`, 'e.g. --cache-size 256MiB');
      // the same scope as the s3 commands (region defaults to us-east-1), so they share cache entries
      const rt = runtimeFrom(ctx);
      const scope = { ...rt.scope, region: s3Region(rt) };
      const [{ s3Client, closeClients }, { mountS3 }, { Resources }, scheduler, engine] = await Promise.all([
        import('../aws/clients.js'),
        import('../mount/mount.js'),
        import('../util/resources.js'),
        ctx.services.scheduler(),
        ctx.services.engine(),
      ]);
      // The mount's handles (FUSE, write-behind, block cache, live file) join this registry; the
      // SDK clients were opened first, so they are released last. Engine and scheduler belong to
      // ctx.services, which closes them after the run.
      const resources = new Resources();
      const client = await s3Client(scope, { maxSockets: 32 });
      resources.register('S3 clients', closeClients);
      const handle = await mountS3({
        bucket,
        prefix,
        mountpoint: String(ctx.args.mountpoint),
        readOnly: Boolean(ctx.opts.readOnly),
        cacheSize,
        cacheDir: ctx.config.cache.dir,
        client,
        scheduler,
        engine,
        resources,
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
      }).catch(async (err) => {
        await resources.shutdown({ signal: 'SIGTERM', deadlineMs: 1000 });
        throw err;
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
