// A simulated network round trip for the aws suite: a loopback TCP proxy in front of s3rver that
// delays every byte by half the added RTT in each direction, so a request/response exchange costs
// `rttMs` more, as it would on a real network (S3 answers in tens of ms; s3rver on loopback in a
// few). A new connection pays one more RTT before its first bytes reach the server (the TCP
// handshake). Each direction holds at most `windowBytes` in its delay line (a TCP window): a
// stream's throughput is then bounded by window / RTT, like a real socket.
//
// `latencyProxy` is self-contained (it only uses its `net` argument and globals) so that the suite
// can run it in a child process from its own source text, keeping the proxy's CPU out of the
// client's event loop; tests call it in-process.

import type * as Net from 'node:net';

export interface LatencyProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Added round-trip time, ms (half each way). 0 = a plain pipe. */
  rttMs: number;
  /** Bytes in flight per direction before the sender is paused. @default 4 MiB */
  windowBytes?: number;
}

export interface LatencyProxy {
  port: number;
  close(): Promise<void>;
}

export function latencyProxy(net: typeof Net, opts: LatencyProxyOptions): Promise<LatencyProxy> {
  const oneWay = opts.rttMs / 2;
  const windowBytes = opts.windowBytes ?? 4 * 1024 * 1024;
  const sockets = new Set<Net.Socket>();

  // Forwards `from` to `to`, each chunk delivered `oneWay` ms after it arrived and never before
  // `notBefore` (performance.now() time), in order; `from` pauses while the line or `to` is full.
  const delayLine = (from: Net.Socket, to: Net.Socket, notBefore: number) => {
    const line: Array<{ due: number; chunk: Buffer }> = [];
    let queued = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    let blocked = false;
    const flow = () => (queued > windowBytes || blocked ? from.pause() : from.resume());
    const pump = () => {
      timer = undefined;
      const now = performance.now();
      while (line.length > 0 && line[0].due <= now + 0.25) {
        const { chunk } = line.shift()!;
        queued -= chunk.length;
        if (!to.write(chunk)) blocked = true;
      }
      if (line.length > 0) timer = setTimeout(pump, line[0].due - now);
      else if (ended) to.end();
      flow();
    };
    to.on('drain', () => {
      blocked = false;
      flow();
    });
    from.on('data', (chunk: Buffer) => {
      const due = Math.max(performance.now() + oneWay, notBefore);
      line.push({ due, chunk });
      queued += chunk.length;
      timer ??= setTimeout(pump, due - performance.now());
      flow();
    });
    from.on('end', () => {
      ended = true;
      if (line.length === 0 && timer === undefined) to.end();
    });
  };

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: opts.targetPort, host: opts.targetHost, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (client.destroy(), upstream.destroy()));
    }
    // the server's side may close while its last bytes are still in the delay line: only the
    // client's close (or an error on either side) ends the pair
    client.on('close', () => upstream.destroy());
    if (opts.rttMs <= 0) {
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    // handshake: the client's first bytes leave one RTT after it connected, then take oneWay
    const handshakeDone = performance.now() + opts.rttMs;
    delayLine(client, upstream, handshakeDone + oneWay);
    delayLine(upstream, client, 0);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as Net.AddressInfo).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
