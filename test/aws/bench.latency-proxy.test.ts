// The aws suite's simulated round trip: bytes pass unchanged and in order, and every exchange
// through the proxy waits at least the added RTT (a lower bound: a slow machine cannot fail it).
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { latencyProxy, type LatencyProxy } from '../../src/bench/suites/aws-latency-proxy.js';

/** An echo server that answers each connection by hashing what it received once the client ends. */
async function hashServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    const h = createHash('sha256');
    s.on('data', (d) => {
      h.update(d);
      if (d.includes(0x0a)) s.write('pong\n');
    });
    s.on('end', () => s.end(h.digest('hex')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

function exchange(port: number, payload: Buffer): Promise<{ firstAnswerMs: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstAnswerMs = -1;
    const parts: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(payload));
    s.on('data', (d: Buffer) => {
      if (firstAnswerMs < 0) firstAnswerMs = performance.now() - t0;
      parts.push(d);
    });
    s.on('end', () => resolve({ firstAnswerMs, answer: Buffer.concat(parts).toString() }));
    s.on('error', reject);
  });
}

describe('latency proxy', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  async function setup(rttMs: number, windowBytes?: number): Promise<LatencyProxy> {
    const target = await hashServer();
    const proxy = await latencyProxy(net, { targetHost: '127.0.0.1', targetPort: target.port, rttMs, windowBytes });
    open.push(proxy, target);
    return proxy;
  }

  it.each([0, 20])('passes 8 MiB unchanged and in order with %i ms added RTT and a 64 KiB window', async (rtt) => {
    const proxy = await setup(rtt, 64 * 1024);
    const payload = randomBytes(8 * 1024 * 1024);
    const { answer } = await exchange(proxy.port, payload);
    expect(answer.endsWith(createHash('sha256').update(payload).digest('hex'))).toBe(true);
  });

  it('makes a new connection wait the handshake RTT plus one request/response RTT', async () => {
    const proxy = await setup(30);
    const { firstAnswerMs, answer } = await exchange(proxy.port, Buffer.from('ping\n'));
    expect(answer.startsWith('pong\n')).toBe(true);
    expect(firstAnswerMs).toBeGreaterThanOrEqual(2 * 30 - 2);
  });
});
