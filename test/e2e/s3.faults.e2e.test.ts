// A server that closes the connection in the middle of a GET body: a TCP proxy in front of s3rver
// passes everything through but cuts GET responses after CUT_AFTER bytes, by a reset or by a
// clean FIN. The real `s3 get` through it retries a cut range and ends with exit 0, the exact bytes
// and no temp file; when every GET is cut it gives up with exit 1, a clear line and no file at all.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { records, useS3World, strata, strayFiles } from '../helpers/s3-e2e.js';

const CUT_AFTER = 100_000;
const data = randomBytes(1024 * 1024 + 17);

interface CuttingProxy {
  endpoint: string;
  gets: number;
  cuts: number;
  close(): Promise<void>;
}

/**
 * Forwards bytes both ways; the first `times` responses to a GET are cut after `after` bytes
 * (headers included), the connection closed by `how`.
 */
async function cuttingProxy(upstreamPort: number, after: number, how: 'reset' | 'fin', times = 1): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  const state = { gets: 0, cuts: 0 };
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    let armed = false;
    let sent = 0;
    client.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 4).toString('latin1') === 'GET ') {
        state.gets++;
        if (state.cuts < times) {
          state.cuts++;
          armed = true;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!armed) return void client.write(chunk);
      const room = after - sent;
      if (chunk.length < room) {
        sent += chunk.length;
        return void client.write(chunk);
      }
      armed = false;
      upstream.destroy();
      if (how === 'fin') client.end(chunk.subarray(0, room));
      else client.write(chunk.subarray(0, room), () => client.resetAndDestroy());
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get gets() {
      return state.gets;
    },
    get cuts() {
      return state.cuts;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((res) => server.close(() => res()));
    },
  };
}

const world = useS3World(['fault-bkt'], [{ bucket: 'fault-bkt', key: 'cut.bin', body: data }]);

describe('a connection closed in the middle of a GET body', () => {
  it.each(['reset', 'fin'] as const)('cut by a %s: s3 get retries the range and writes the exact bytes, with no temp file', async (how) => {
    const proxy = await cuttingProxy(world.port, CUT_AFTER, how);
    try {
      const dest = world.workdir('cut');
      const r = await strata(world, ['s3', 'get', 's3://fault-bkt/cut.bin', join(dest, 'cut.bin'), '-o', 'ndjson'], { endpoint: proxy.endpoint });
      expect(proxy.cuts).toBe(1);
      expect(proxy.gets).toBeGreaterThanOrEqual(2);
      expect(r.code, r.stderr).toBe(0);
      expect(records(r.stdout)).toEqual([expect.objectContaining({ Bytes: data.length })]);
      expect(readFileSync(join(dest, 'cut.bin')).equals(data)).toBe(true);
      expect(strayFiles(dest, ['cut.bin'])).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('cut by a clean close while streaming into a device: the short body is an error (exit 1), not a success', async () => {
    const proxy = await cuttingProxy(world.port, CUT_AFTER, 'fin');
    try {
      const r = await strata(world, ['s3', 'get', 's3://fault-bkt/cut.bin', '/dev/null', '-o', 'ndjson'], { endpoint: proxy.endpoint });
      expect(proxy.cuts).toBe(1);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^strata: the connection was cut while transferring s3:\/\/fault-bkt\/cut\.bin — check --endpoint-url/m);
      expect(r.stdout).toBe('');
    } finally {
      await proxy.close();
    }
  });

  it('cut every time: s3 get gives up with exit 1 and a clear line, leaving no file', async () => {
    const proxy = await cuttingProxy(world.port, CUT_AFTER, 'reset', Infinity);
    try {
      const dest = world.workdir('cut-always');
      const r = await strata(world, ['s3', 'get', 's3://fault-bkt/cut.bin', join(dest, 'cut.bin')], { endpoint: proxy.endpoint });
      expect(r.code, r.stderr).toBe(1);
      expect(proxy.gets, r.stderr).toBeGreaterThanOrEqual(2);
      expect(r.stderr).toMatch(/^strata: .*connection was cut/m);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(strayFiles(dest)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
