// Network faults and region redirects against real local servers: one that accepts connections and
// never answers, a port nobody listens on, and an HTTP server answering S3's 301 PermanentRedirect.
// Each goes through the real client, scheduler (retries) and error mapping.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { listObjects } from '../../src/aws/s3/list.js';
import { closeClients, s3Client } from '../../src/aws/clients.js';
import type { AwsRuntime } from '../../src/aws/runtime.js';
import type { Rec } from '../../src/cli/types.js';
import { freePort } from '../helpers/redis-server.js';
import { startS3, type S3Fixture } from './s3server.js';

let s3: S3Fixture;
let stalling: Server;
let stallEndpoint: string;
const stalledSockets: Socket[] = [];
let redirecting: HttpServer;
let redirectEndpoint: string;

async function listen(server: Server | HttpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function drain(it: AsyncIterable<Rec>): Promise<void> {
  for await (const _ of it) void _;
}

function rtAt(endpoint: string, more: Partial<AwsRuntime> = {}): AwsRuntime {
  return s3.rt({ scope: { profile: 'default', region: 'us-east-1', endpoint }, cacheMode: 'no-cache', ...more });
}

beforeAll(async () => {
  // s3rver supplies the engine and the test scheduler (3 retries, millisecond backoff)
  s3 = await startS3([]);
  // accepts, reads the request, never writes a byte
  stalling = createServer((socket) => void stalledSockets.push(socket.resume()));
  stallEndpoint = await listen(stalling);
  redirecting = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(301, { 'content-type': 'application/xml', 'x-amz-bucket-region': 'eu-central-1' });
    res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Bucket>far</Bucket></Error>');
  });
  redirectEndpoint = await listen(redirecting);
});
afterAll(async () => {
  closeClients();
  for (const s of stalledSockets) s.destroy();
  await new Promise((r) => stalling.close(r));
  await new Promise((r) => redirecting.close(r));
  await s3.close();
});

describe('a server that accepts and never answers', () => {
  it('times the request out, retries it, and ends in a TIMEOUT error with a hint', async () => {
    const err = await drain(listObjects(rtAt(stallEndpoint, { socketTimeoutMs: 200 }), { bucket: 'b', key: '' })).catch((e) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', kind: 'runtime', exitCode: 1 });
    expect(err.message).toMatch(/did not answer in time/);
    expect(err.hint).toMatch(/--endpoint-url/);
    // one attempt plus the test scheduler's 3 retries, each on a fresh connection
    expect(stalledSockets).toHaveLength(4);
  });
});

describe('nothing listening', () => {
  it('says the connection was refused and points at --endpoint-url', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const err = await drain(listObjects(rtAt(nobody), { bucket: 'b', key: '' })).catch((e) => e);
    expect(err).toMatchObject({ code: 'CONNECTION_REFUSED', kind: 'runtime', exitCode: 1 });
    expect(err.hint).toMatch(/--endpoint-url/);
  });
});

describe('a bucket in another region', () => {
  it('names the region from x-amz-bucket-region in the hint', async () => {
    const err = await drain(listObjects(rtAt(redirectEndpoint), { bucket: 'far', key: '' })).catch((e) => e);
    expect(err).toMatchObject({ code: 'WRONG_REGION', kind: 'runtime', hint: 'pass --region eu-central-1' });
  });

  it('follows region redirects on AWS, not on a custom endpoint', async () => {
    const aws = await s3Client({ profile: 'default', region: 'us-east-1' });
    const custom = await s3Client({ profile: 'default', region: 'us-east-1', endpoint: redirectEndpoint });
    expect(aws.config.followRegionRedirects).toBe(true);
    expect(custom.config.followRegionRedirects).toBe(false);
  });
});
