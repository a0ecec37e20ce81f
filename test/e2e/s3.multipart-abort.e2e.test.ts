// Ctrl-C during a real multipart `s3 put` exits 130 and aborts the upload it created. s3rver has no
// AbortMultipartUpload route (DELETE ?uploadId answers 405), so a recording HTTP proxy sits in front
// of it: it logs every request, keeps the UploadId that CreateMultipartUpload answered, and answers
// `DELETE /bucket/key?uploadId=...` itself with 204; everything else passes through unchanged
// (the Host header too, so SigV4 signatures still match).

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REGION, spawnStrata, useS3World, waitFor } from '../helpers/s3-e2e.js';

const MiB = 1024 * 1024;

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
}

interface RecordingProxy {
  endpoint: string;
  requests: Recorded[];
  uploadIds: string[];
  close(): Promise<void>;
}

async function recordingProxy(upstreamPort: number): Promise<RecordingProxy> {
  const requests: Recorded[] = [];
  const uploadIds: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname, query: url.searchParams });
    if (method === 'DELETE' && url.searchParams.has('uploadId')) {
      req.resume();
      res.writeHead(204).end();
      return;
    }
    const up = request({ host: '127.0.0.1', port: upstreamPort, method, path: req.url, headers: req.headers }, (answer) => {
      if (method === 'POST' && url.searchParams.has('uploads')) {
        let body = '';
        answer.setEncoding('utf8').on('data', (d: string) => (body += d));
        answer.on('end', () => {
          const id = /<UploadId>([^<]+)<\/UploadId>/.exec(body)?.[1];
          if (id) uploadIds.push(id);
          res.writeHead(answer.statusCode ?? 500, answer.headers).end(body);
        });
        return;
      }
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.on('aborted', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    uploadIds,
    close: () => {
      server.closeAllConnections();
      return new Promise((res) => server.close(() => res()));
    },
  };
}

const world = useS3World(['mpu-bkt']);

describe('SIGINT during a multipart s3 put', () => {
  it('exits 130 and sends AbortMultipartUpload for the upload id it was given', async () => {
    const work = world.workdir('mpu');
    const file = join(work, 'big.bin');
    writeFileSync(file, randomBytes(17 * MiB)); // three 8 MiB parts; at 4MB/s the second is read over ~2 s
    const proxy = await recordingProxy(world.port);
    try {
      const run = spawnStrata(world, ['s3', 'put', file, 's3://mpu-bkt/big.bin', '--max-bandwidth', '4MB/s'], { endpoint: proxy.endpoint });
      await waitFor(() => proxy.uploadIds.length > 0 || run.child.exitCode !== null, 'CreateMultipartUpload to be answered');
      expect(run.child.exitCode, run.stderr()).toBeNull();
      run.child.kill('SIGINT');
      const r = await run.done;
      expect(r.code, r.stderr).toBe(130);

      const [uploadId] = proxy.uploadIds;
      expect(proxy.uploadIds).toEqual([uploadId]);
      const aborts = proxy.requests.filter((q) => q.method === 'DELETE' && q.query.has('uploadId'));
      expect(aborts.map((q) => ({ path: q.path, uploadId: q.query.get('uploadId') }))).toEqual([{ path: '/mpu-bkt/big.bin', uploadId }]);
      // never completed: no CompleteMultipartUpload, and no object under the key
      expect(proxy.requests.filter((q) => q.method === 'POST' && q.query.has('uploadId'))).toEqual([]);
      const direct = new S3Client({ endpoint: world.endpoint, region: REGION, forcePathStyle: true });
      await expect(direct.send(new HeadObjectCommand({ Bucket: 'mpu-bkt', Key: 'big.bin' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
      direct.destroy();
    } finally {
      await proxy.close();
    }
  });
});
