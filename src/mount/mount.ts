// Assembles a mount: object store (through the shared scheduler), metadata cache, L1/L2 block
// caches, I/O scheduler, read path, write-behind, the FUSE binding, stats publishing, warming and
// the lifecycle (stale mount cleanup first; on unmount: flush pending writes, report a busy
// mount, detach). `mountS3` resolves once mounted; `handle.done` resolves once unmounted, by us
// (signal, `unmount()`) or from outside (`umount`, `fusermount -u`).

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { runtimeError } from '../errors.js';
import type { Scheduler } from '../scheduler/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { BlockPool } from './block-pool.js';
import { DiskBlockCache } from './disk-blocks.js';
import { S3Filesystem } from './filesystem.js';
import { loadFuse } from './fuse-loader.js';
import { fuseOps } from './fuse-ops.js';
import { IoScheduler } from './io-scheduler.js';
import { busyProcesses, detach, prepareMountpoint } from './lifecycle.js';
import { MetadataCache } from './metadata.js';
import { ObjectStore } from './object-store.js';
import { laneOf } from '../aws/runtime.js';
import { BlockReader } from './reader.js';
import { MountStats, type MountMetrics } from './stats.js';
import { startLivePublisher } from '../metrics/live.js';
import { warmMatching } from './warm.js';
import { Resources, stopSignalOf } from '../util/resources.js';
import type { Engine } from '../engine/index.js';
import { countPending, recoverPending } from './write-behind.js';

const MiB = 1024 * 1024;
/** 4 MiB blocks: large enough that a GET's latency is amortised, small enough for random reads. */
export const DEFAULT_BLOCK_SIZE = 4 * MiB;
/**
 * Default L1 size. Measured: a mount idles at ~67 MB RSS, and streaming holds about twice L1 on
 * top (dead block buffers wait for V8's next external-memory GC); 32 MiB keeps a 1 GiB read under
 * 200 MB. Warm re-reads are served by the kernel page cache, not L1.
 */
export const DEFAULT_CACHE_SIZE = 32 * MiB;
/**
 * Read-ahead window and fetched-but-unread bytes, at most. Measured on a 1 GiB sequential read:
 * 32 MiB peaked at 204 MB RSS; 16 MiB stays under 200 MB at the same throughput (the read is
 * CPU-bound here, not latency-bound).
 */
const MAX_READ_AHEAD = 16 * MiB;
const DEFAULT_METADATA_TTL_MS = 10_000;
const DEFAULT_DISK_CACHE_BYTES = 2048 * MiB;
/** Above the shared scheduler's lane limit would only queue twice; below it leaves room for metadata. */
const MAX_FETCHES_IN_FLIGHT = 12;
const AGING_MS = 1_000;
/** Pending writes get this long at Ctrl-C/SIGTERM (uploads are the user's data; systemd allows 90 s). */
const DEFAULT_SHUTDOWN_DEADLINE_MS = 30_000;
/** Left of the deadline after the flush, for unmounting and releasing the rest. */
const FLUSH_MARGIN_MS = 2_000;
/** Free block buffers kept for reuse: enough for the next fetches of a stream, little when idle. */
const FREE_BLOCKS_KEPT = 4;

export interface MountOptions {
  bucket: string;
  /** Key prefix mounted at the root ('' or ending in '/'). */
  prefix: string;
  mountpoint: string;
  readOnly: boolean;
  /** L1 memory block cache, bytes. */
  cacheSize: number;
  cacheDir: string;
  client: S3Client;
  scheduler: Scheduler;
  scope: { profile: string; region: string; endpoint?: string };
  warm?: string[];
  blockSize?: number;
  diskCacheBytes?: number;
  metadataTtlMs?: number;
  clock?: Clock;
  warn: (message: string) => void;
  /** Aborting unmounts (after flushing pending writes). */
  signal?: AbortSignal;
  /** The engine metadata goes through (HeadObject, ListObjectsV2). */
  engine: Engine;
  /** Registry the mount's handles join (the command's, holding the SDK clients too). */
  resources?: Resources;
  /** Time pending writes get to reach S3 at shutdown, ms. @default 30000 */
  shutdownDeadlineMs?: number;
  /** Extra gauges for the stats (e.g. the shared scheduler's lanes). */
  gauges?: () => Record<string, number>;
}

export interface UnmountReport {
  metrics: MountMetrics;
  failedUploads: string[];
  busy: Array<{ pid: number; command: string }>;
  /** Handles released at shutdown, in order. */
  released: string[];
}

export interface MountHandle {
  readonly mountpoint: string;
  metrics(): MountMetrics;
  unmount(): Promise<UnmountReport>;
  readonly done: Promise<UnmountReport>;
}

export async function mountS3(opts: MountOptions): Promise<MountHandle> {
  const mnt = resolve(opts.mountpoint);
  const clock = opts.clock ?? systemClock;
  if (await prepareMountpoint(mnt)) opts.warn(`cleaned a stale mount left at ${mnt} by a crashed run`);
  const Fuse = await loadFuse();

  const blockSize = opts.blockSize ?? DEFAULT_BLOCK_SIZE;
  const stats = new MountStats(clock);
  const store = new ObjectStore({ bucket: opts.bucket, client: opts.client, scheduler: opts.scheduler, lane: laneOf('s3', opts.scope.region, opts.scope), stats });
  const metadataTtl = opts.metadataTtlMs ?? DEFAULT_METADATA_TTL_MS;
  const meta = new MetadataCache({ store, engine: opts.engine, scope: opts.scope, ttlMs: metadataTtl, clock });
  const io = new IoScheduler({
    maxInFlight: MAX_FETCHES_IN_FLIGHT,
    maxBufferedBytes: Math.max(2 * blockSize, Math.min(opts.cacheSize / 2, MAX_READ_AHEAD)),
    agingMs: AGING_MS,
    clock,
  });
  const pool = new BlockPool({ slabSize: blockSize, maxFree: FREE_BLOCKS_KEPT });
  const l2 = new DiskBlockCache({
    dir: join(opts.cacheDir, 'blocks'),
    maxBytes: opts.diskCacheBytes ?? DEFAULT_DISK_CACHE_BYTES,
    pool,
    // The disk copy never competes with a read that is waiting for S3.
    admit: () => io.depths().foreground === 0,
  });
  const reader = new BlockReader({ store, l2, io, stats, clock, blockSize, cacheBytes: opts.cacheSize, pool });
  const pendingDir = join(opts.cacheDir, 'mount-pending');
  const target = { bucket: opts.bucket, region: opts.scope.region, profile: opts.scope.profile, endpoint: opts.scope.endpoint };
  let pendingOnDisk = await countPending(pendingDir);

  const metrics = (): MountMetrics => {
    const depths = io.depths();
    return {
      kind: 'mount',
      pid: process.pid,
      source: `s3://${opts.bucket}/${opts.prefix}`,
      mountpoint: mnt,
      startedAt: stats.startedAt,
      at: clock.now(),
      blocks: {
        blockSize,
        l1: reader.l1.stats(),
        l2: { hits: l2.hits, misses: l2.misses, writes: l2.writes, skipped: l2.skipped, compressed: l2.compressed, bytes: l2.bytes },
        pool: pool.stats(),
      },
      prefetch: {
        ...stats.prefetch,
        accuracy: stats.prefetch.bytesPrefetched ? Number((stats.prefetch.bytesUsed / stats.prefetch.bytesPrefetched).toFixed(4)) : null,
        readaheadResets: fs.readaheadResets,
      },
      bytes: { ...stats.bytes },
      requests: stats.summaries('requests'),
      ops: stats.summaries('ops'),
      queues: { ...depths, inFlight: io.inFlight, bufferedBytes: io.bufferedBytes, expired: io.expired.foreground + io.expired.readahead + io.expired.warming },
      writes: { dirtyFiles: fs.dirtyFiles, ...stats.writes, pendingOnDisk },
      warm: { ...stats.warm },
      ...(opts.gauges ? { gauges: opts.gauges() } : {}),
    };
  };

  const fs: S3Filesystem = new S3Filesystem({
    prefix: opts.prefix,
    readOnly: opts.readOnly,
    store, meta, reader, stats, clock, pendingDir, target,
    readAhead: { initialWindow: blockSize, maxWindow: Math.max(blockSize, MAX_READ_AHEAD), idleResetMs: 5_000 },
    snapshot: () => JSON.stringify(metrics(), null, 2),
    warn: opts.warn,
  });

  const fuse = new Fuse(mnt, fuseOps(fs, stats, clock, opts.warn), {
    fsname: `strata:${opts.bucket}`,
    subtype: 'strata',
    // The kernel keeps entries and attributes 1 s (libfuse's default: longer would let it open the
    // virtual stats file with a stale size), and file pages until a getattr shows a new mtime or
    // size (auto_cache): warm re-reads never reach us.
    attrTimeout: 1,
    entryTimeout: 1,
    autoCache: true,
    // fuse-native answers ETIMEDOUT after 15 s by default: uploads and large opens take longer,
    // and reads carry their own deadlines (reader.ts).
    timeout: { default: 60_000, read: false, write: false, flush: false, fsync: false, release: false, open: false, rename: false, truncate: false, create: false },
  });
  await new Promise<void>((ok, fail) =>
    fuse.mount((err) => (err ? fail(runtimeError('MOUNT_FAILED', `cannot mount at ${mnt}: ${err.message}`, 'check that /dev/fuse exists and the mountpoint is an empty directory', err)) : ok())),
  );

  // Every handle lives in the resource registry, released in reverse order at shutdown: first
  // no new work (recovery and warming stop, writers get EROFS), then pending writes are flushed
  // within the deadline (what misses it is kept for retry), the disk cache drains, the mount goes
  // (busy processes named), the live file last.
  const resources = opts.resources ?? new Resources();
  let externally = false;
  let busy: UnmountReport['busy'] = [];
  let failedUploads: string[] = [];
  resources.register('live publisher', startLivePublisher(opts.cacheDir, { snapshot: metrics }, { title: `mount ${opts.bucket}/${opts.prefix} ${mnt}` }));
  resources.register('fuse mount', async () => {
    clearInterval(watch);
    if (externally) return detach(mnt);
    busy = await busyProcesses(mnt);
    if (busy.length) {
      opts.warn(`mount busy: ${busy.map((b) => `${b.pid} (${b.command})`).join(', ')} still use ${mnt}; detaching it lazily — it goes away when they let go`);
    }
    await new Promise<void>((ok) => fuse.unmount(() => ok()));
  });
  resources.register('block cache flush', () => l2.drain());
  resources.register('write-behind', async () => {
    failedUploads = await fs.flushAll(Math.max(0, shutdownDeadline - clock.monotonic() - FLUSH_MARGIN_MS));
    if (failedUploads.length) opts.warn(`${failedUploads.length} upload(s) not done; the data is kept in ${pendingDir} and retried at the next mount`);
  });
  const warming = new AbortController();
  resources.register('warming', () => warming.abort());
  if (!opts.readOnly) {
    void resources.track('pending-upload recovery', () =>
      recoverPending(pendingDir, target, store).then(
        async (r) => {
          if (r.retried) opts.warn(`retried ${r.retried} upload(s) left by an earlier run: ${r.uploaded} uploaded, ${r.stillPending} still pending in ${pendingDir}`);
          pendingOnDisk = await countPending(pendingDir);
        },
        (err) => opts.warn(`could not retry pending uploads: ${(err as Error).message}`),
      ),
    );
  }
  if (opts.warm?.length) {
    void resources.track('warming', () =>
      warmMatching({ globs: opts.warm!, prefix: opts.prefix, store, reader, stats, signal: warming.signal, progress: opts.warn }).catch((err) => {
        if (!warming.signal.aborted) opts.warn(`warming stopped: ${(err as Error).message}`);
      }),
    );
  }

  let unmounting: Promise<UnmountReport> | undefined;
  let shutdownDeadline = Infinity;
  const finish = async (): Promise<UnmountReport> => {
    const deadlineMs = opts.shutdownDeadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
    shutdownDeadline = clock.monotonic() + deadlineMs;
    fs.stopAcceptingWrites();
    // Background work (recovery, warming) is cut short at once: only pending writes get the deadline.
    warming.abort();
    const shutdown = await resources.shutdown({ signal: opts.signal ? stopSignalOf(opts.signal) : 'SIGTERM', deadlineMs, graceMs: 0 });
    for (const f of shutdown.failed) opts.warn(`could not release ${f.name}: ${f.message}`);
    pendingOnDisk = await countPending(pendingDir);
    return { metrics: metrics(), failedUploads, busy, released: shutdown.released };
  };
  let resolveDone!: (r: UnmountReport) => void;
  const done = new Promise<UnmountReport>((r) => (resolveDone = r));
  const unmount = () => (unmounting ??= finish().then((r) => (resolveDone(r), r)));

  // An unmount from outside (umount, fusermount -u) ends the FUSE loop; notice it from mountinfo.
  // This timer is also what keeps the process alive while mounted (fuse-native holds no handle).
  const watch = setInterval(async () => {
    const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
    if (!unmounting && !info.split('\n').some((line) => line.split(' ')[4] === mnt)) {
      externally = true;
      void unmount();
    }
  }, 1000);
  if (opts.signal?.aborted) void unmount();
  else opts.signal?.addEventListener('abort', () => void unmount(), { once: true });

  return { mountpoint: mnt, metrics, unmount, done };
}
