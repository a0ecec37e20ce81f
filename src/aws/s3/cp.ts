// `s3 cp` in all its directions, one item or --recursive:
//   local → s3   put (a directory walk streams the files)
//   s3 → local   get (a recursive listing, through the engine, streams the keys)
//   s3 → s3      CopyObject
// Work flows through a bounded queue (`boundedMap`, --concurrency items in flight, the source read
// only as slots free), and each finished item is a record {Source, Destination, Bytes, ETag}.
// A failed item goes to `onItemError` (--keep-going: an error record, the rest goes on; otherwise
// it throws and the run stops). Writes into S3 invalidate the cached listings once, at the end.

import type { Stats } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Rec } from '../../cli/types.js';
import { runtimeError, usageError } from '../../errors.js';
import { boundedMap } from './bounded.js';
import { copyObject } from './copy.js';
import { downloadObject } from './get.js';
import { invalidateListings } from './invalidate.js';
import { listObjects } from './list.js';
import { uploadFile } from './put.js';
import type { TransferEnv } from './transfer.js';
import { isS3Url, parseS3Url, s3Url } from './url.js';

export interface CopyOptions {
  recursive?: boolean;
  /** Per-item failure: return to skip the item (keep going), throw to stop. */
  onItemError?(err: unknown, item: Rec): void;
}

type Job = () => Promise<Rec>;

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

function joinKey(prefix: string, name: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix + name : `${prefix}/${name}`;
}

/** Local destination of `key` below `prefix`, refusing keys that would escape the directory. */
export function localPathFor(root: string, prefix: string, key: string): string {
  const rel = key.slice(prefix.length).replace(/^\/+/, '');
  const target = resolve(root, ...rel.split('/'));
  const base = resolve(root);
  if (rel === '' || (target !== base && !target.startsWith(base + sep))) {
    throw usageError('UNSAFE_KEY', `key '${key}' would be written outside ${root}`, 'copy that object on its own with s3 get');
  }
  return target;
}

/**
 * The files under `dir`, following symbolic links (as the AWS CLI does) to files and folders. A
 * link to a folder it sits in would loop, and anything else — a FIFO, a socket, a device, a link
 * to nothing — cannot be copied: each comes back with its reason, reported, never skipped quietly.
 */
async function* walk(dir: string, ancestors: string[] = [], self?: Stats): AsyncGenerator<{ path: string; problem?: string }> {
  const here = self ?? (await stat(dir));
  const chain = [...ancestors, `${here.dev}:${here.ino}`];
  for await (const entry of await opendir(dir)) {
    const path = join(dir, entry.name);
    // a link's target (or nothing); a folder's own stat is taken once, here
    const kind = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : entry.isDirectory() ? await stat(path) : entry;
    if (!kind) yield { path, problem: 'a symbolic link to nothing' };
    else if (kind.isDirectory()) {
      const folder = kind as Stats;
      if (chain.includes(`${folder.dev}:${folder.ino}`)) yield { path, problem: 'a link to a folder it is in (a loop)' };
      else yield* walk(path, chain, folder);
    } else if (kind.isFile()) yield { path };
    else yield { path, problem: 'not a regular file (a FIFO, socket or device)' };
  }
}

async function* recursiveJobs(env: TransferEnv, src: string, dst: string): AsyncGenerator<{ item: Rec; job: Job }> {
  if (!isS3Url(src)) {
    const to = parseS3Url(dst);
    if (!(await isDirectory(src))) throw usageError('NOT_A_DIRECTORY', `${src} is not a directory`, 'drop --recursive to copy one file');
    for await (const { path: file, problem } of walk(src)) {
      const key = joinKey(to.key, relative(src, file).split(sep).join('/'));
      const job: Job = problem
        ? async () => {
            throw runtimeError('NOT_A_FILE', `${file} is ${problem}: not copied`, 'copy regular files (and links to them) only, or move it out of the folder');
          }
        : () => uploadFile(env, file, { bucket: to.bucket, key });
      yield { item: { Source: file }, job };
    }
    return;
  }
  const from = parseS3Url(src);
  const prefix = from.key === '' || from.key.endsWith('/') ? from.key : from.key + '/';
  const objects = listObjects(env.rt, { bucket: from.bucket, key: prefix }, { recursive: true });
  const toS3 = isS3Url(dst) ? parseS3Url(dst) : undefined;
  for await (const o of objects) {
    const key = String(o.Key);
    if (key.endsWith('/')) continue;
    const source = { bucket: from.bucket, key };
    const item = { Source: s3Url(from.bucket, key) };
    if (toS3) {
      const target = { bucket: toS3.bucket, key: joinKey(toS3.key, key.slice(prefix.length)) };
      yield { item, job: () => copyObject(env, source, target, Number(o.Size)) };
    } else {
      yield { item, job: async () => downloadObject(env, source, localPathFor(dst, prefix, key)) };
    }
  }
}

async function singleJob(src: string, dst: string, env: TransferEnv): Promise<Job> {
  if (isS3Url(src)) {
    const from = parseS3Url(src);
    if (!from.key || from.key.endsWith('/')) throw usageError('BAD_S3_URL', `'${src}' names a prefix`, 'add --recursive to copy everything below it');
    if (isS3Url(dst)) {
      const to = parseS3Url(dst);
      const key = to.key === '' || to.key.endsWith('/') ? joinKey(to.key, basename(from.key)) : to.key;
      return () => copyObject(env, from, { bucket: to.bucket, key });
    }
    const into = dst.endsWith('/') || dst.endsWith(sep) || (await isDirectory(dst));
    const path = into ? join(dst, basename(from.key)) : dst;
    return () => downloadObject(env, from, path);
  }
  const to = parseS3Url(dst);
  const key = to.key === '' || to.key.endsWith('/') ? joinKey(to.key, basename(src)) : to.key;
  return () => uploadFile(env, src, { bucket: to.bucket, key });
}

export async function* copy(env: TransferEnv, src: string, dst: string, opts: CopyOptions = {}): AsyncGenerator<Rec> {
  if (!isS3Url(src) && !isS3Url(dst)) throw usageError('LOCAL_COPY', 'neither side of the copy is an s3:// URL', 'one of source and destination must be s3://bucket/...');
  const writesS3 = isS3Url(dst);
  // validate both URLs before any work starts
  if (isS3Url(src)) parseS3Url(src);
  if (writesS3) parseS3Url(dst);
  let wrote = false;
  try {
    if (!opts.recursive) {
      const job = await singleJob(src, dst, env);
      wrote = writesS3;
      yield await job();
      return;
    }
    const run = async ({ item, job }: { item: Rec; job: Job }): Promise<Rec | undefined> => {
      wrote ||= writesS3;
      try {
        return await job();
      } catch (err) {
        if (!opts.onItemError || env.rt.signal.aborted) throw err;
        opts.onItemError(err, item);
        return undefined;
      }
    };
    for await (const rec of boundedMap(recursiveJobs(env, src, dst), env.rt.concurrency, run)) if (rec) yield rec;
  } finally {
    if (wrote) await invalidateListings(env.rt, parseS3Url(dst).bucket);
  }
}

