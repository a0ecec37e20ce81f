import { describe, expect, it } from 'vitest';
import { AbortMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { scheduledClient } from '../../src/aws/s3/scheduled-client.js';
import { testScheduler } from './helpers.js';

/** A stand-in S3Client: records what reaches `send`, answers with the operation's name. */
function fakeClient() {
  const sent: { name: string; abortSignal?: AbortSignal }[] = [];
  const client = {
    config: { forcePathStyle: true },
    async send(cmd: object, opts?: { abortSignal?: AbortSignal }) {
      sent.push({ name: cmd.constructor.name, abortSignal: opts?.abortSignal });
      return { ok: cmd.constructor.name };
    },
  };
  return { client: client as unknown as S3Client, sent };
}

const part = () => new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'u', PartNumber: 1, Body: 'x' });
const cleanup = () => new AbortMultipartUploadCommand({ Bucket: 'b', Key: 'k', UploadId: 'u' });

describe('scheduledClient', () => {
  it('runs every send as one job, with the job signal as abortSignal and the operation named', async () => {
    const { client, sent } = fakeClient();
    const runs: { operation: string; opts: unknown; signal: AbortSignal }[] = [];
    const wrapped = scheduledClient(client, (operation, job, opts) => {
      const signal = new AbortController().signal;
      runs.push({ operation, opts, signal });
      return job(signal);
    });
    expect(wrapped.config).toBe(client.config);
    expect(await wrapped.send(part())).toEqual({ ok: 'UploadPartCommand' });
    await wrapped.send(cleanup());
    expect(runs.map((r) => [r.operation, r.opts])).toEqual([
      ['UploadPart', undefined],
      ['AbortMultipartUpload', { signal: undefined }],
    ]);
    expect(sent.map((s) => s.abortSignal)).toEqual(runs.map((r) => r.signal));
  });

  it('sends AbortMultipartUpload after the caller aborted, and nothing else', async () => {
    const { client, sent } = fakeClient();
    const scheduler = testScheduler();
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    const wrapped = scheduledClient(client, (_operation, job, opts) => scheduler.schedule('s3:test', job, { signal: ac.signal, ...opts }));
    try {
      await expect(wrapped.send(part())).rejects.toThrow('cancelled');
      await expect(wrapped.send(cleanup())).resolves.toEqual({ ok: 'AbortMultipartUploadCommand' });
      expect(sent.map((s) => s.name)).toEqual(['AbortMultipartUploadCommand']);
    } finally {
      await scheduler.close();
    }
  });
});
