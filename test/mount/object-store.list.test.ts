import { describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { ObjectStore } from '../../src/mount/object-store.js';
import { MountStats } from '../../src/mount/stats.js';
import { ManualClock } from '../../src/util/clock.js';
import type { ScheduleOptions, Scheduler } from '../../src/scheduler/types.js';

type Page = Record<string, unknown>;

/** An ObjectStore over a client answering ListObjectsV2 with `pages` (keyed by ContinuationToken, '' first). */
function storeWith(pages: Record<string, Page>) {
  const inputs: Record<string, unknown>[] = [];
  const scheduled: { lane: string; opts?: ScheduleOptions }[] = [];
  const client = {
    async send(cmd: { constructor: { name: string }; input: Record<string, unknown> }, opts: { abortSignal?: AbortSignal }) {
      expect(cmd.constructor.name).toBe('ListObjectsV2Command');
      expect(opts.abortSignal).toBeInstanceOf(AbortSignal);
      inputs.push(cmd.input);
      return pages[String(cmd.input.ContinuationToken ?? '')];
    },
  };
  const scheduler: Scheduler = {
    schedule(lane, job, opts) {
      scheduled.push({ lane, opts });
      return job(new AbortController().signal);
    },
  };
  const stats = new MountStats(new ManualClock());
  const store = new ObjectStore({ bucket: 'bkt', client: client as unknown as S3Client, scheduler, lane: 's3:eu-west-1', stats });
  return { store, inputs, scheduled, stats };
}

const obj = (Key: string, Size = 1) => ({ Key, Size, ETag: `"${Key}"`, LastModified: new Date(1000) });

describe('ObjectStore listings', () => {
  it('lists one level over every page: sub-prefixes, files and the marker', async () => {
    const { store, inputs, scheduled, stats } = storeWith({
      '': { Contents: [obj('d/'), obj('d/a', 3)], CommonPrefixes: [{ Prefix: 'd/x/' }], IsTruncated: true, NextContinuationToken: 't1' },
      t1: { Contents: [obj('d/b')], CommonPrefixes: [{ Prefix: 'd/y/' }], IsTruncated: false },
    });
    const l = await store.list('d/');
    expect(l.marker).toBe(true);
    expect(l.dirs).toEqual(['x', 'y']);
    expect([...l.files]).toEqual([
      ['a', { size: 3, etag: '"d/a"', mtime: 1000 }],
      ['b', { size: 1, etag: '"d/b"', mtime: 1000 }],
    ]);
    expect(inputs).toEqual([
      { Bucket: 'bkt', Prefix: 'd/', Delimiter: '/' },
      { Bucket: 'bkt', Prefix: 'd/', Delimiter: '/', ContinuationToken: 't1' },
    ]);
    expect(scheduled).toEqual([
      { lane: 's3:eu-west-1', opts: { priority: 'interactive' } },
      { lane: 's3:eu-west-1', opts: { priority: 'interactive' } },
    ]);
    expect(stats.summaries('requests').ListObjectsV2.count).toBe(2);
  });

  it('lists recursively with the caller priority and stops when the service repeats a token', async () => {
    const { store, inputs, scheduled } = storeWith({
      '': { Contents: [obj('a/1')], IsTruncated: true, NextContinuationToken: 't1' },
      t1: { Contents: [obj('a/b/2')], IsTruncated: true, NextContinuationToken: 't1' },
    });
    const keys: string[] = [];
    for await (const { key } of store.listRecursive('a/', 'warming')) keys.push(key);
    expect(keys).toEqual(['a/1', 'a/b/2']);
    expect(inputs).toEqual([{ Bucket: 'bkt', Prefix: 'a/' }, { Bucket: 'bkt', Prefix: 'a/', ContinuationToken: 't1' }]);
    expect(scheduled.map((s) => s.opts?.priority)).toEqual(['warming', 'warming']);
  });
});
