// L3: the shared tier, keyv's Redis adapter (@keyv/redis), loaded with `await import()` on the
// first L1+L2 miss only, so a local hit never pays Redis's ~30 ms connect. Values are the same
// entry bytes as an L2 file (base64, since the adapter speaks strings), under `strata:v1::<key>`.
//
// Redis is an optimisation, never a dependency: every call is raced against config.cache.
// redisTimeout; the first failure or timeout warns once, closes the client and turns the tier
// off for the rest of the process, and the command carries on from the local tiers.

import type KeyvRedisType from '@keyv/redis';
import { readHeader } from './format.js';
import { maskCredentials } from '../util/urls.js';

const NAMESPACE = 'strata:v1';
const SEPARATOR = '::';

export interface RedisTierOptions {
  url: string;
  /** Longest wait for any Redis call, ms. Minimum: 1. */
  timeoutMs: number;
  warn(message: string): void;
}

export interface RedisListing {
  key: string;
  bytes: number;
  createdAt: number;
}

type Client = Awaited<ReturnType<KeyvRedisType<string>['getClient']>>;

export class RedisTier {
  readonly #opts: RedisTierOptions;
  #store: KeyvRedisType<string> | undefined;
  #client: Promise<Client> | undefined;
  #down = false;

  constructor(opts: RedisTierOptions) {
    this.#opts = opts;
  }

  /** False once Redis failed in this process. */
  get available(): boolean {
    return !this.#down;
  }

  async get(key: string): Promise<Buffer | undefined> {
    const text = await this.#guard(async (c) => c.get(full(key)), null);
    return typeof text === 'string' ? Buffer.from(text, 'base64') : undefined;
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<boolean> {
    const ok = await this.#guard(async (c) => c.set(full(key), value.toString('base64'), { PX: Math.max(1, Math.round(ttlMs)) }), null);
    return ok !== null;
  }

  async delete(key: string): Promise<boolean> {
    return ((await this.#guard(async (c) => c.unlink(full(key)), 0)) ?? 0) > 0;
  }

  async clear(): Promise<void> {
    await this.deleteWhere(() => true);
  }

  /** Removes the keys that match, found by SCAN (never KEYS); returns how many went. */
  async deleteWhere(match: (key: string) => boolean): Promise<number> {
    let removed = 0;
    for await (const batch of this.#scan()) {
      const doomed = batch.filter(match).map(full);
      if (doomed.length > 0) removed += (await this.#guard(async (c) => c.unlink(doomed), 0)) ?? 0;
    }
    return removed;
  }

  async *list(): AsyncIterable<RedisListing> {
    for await (const batch of this.#scan()) {
      for (const key of batch) {
        const info = await this.#guard(async (c) => Promise.all([c.strLen(full(key)), c.getRange(full(key), 0, 1023)]), null);
        if (!info) continue;
        const header = readHeader(Buffer.from(info[1] ?? '', 'base64'));
        yield { key, bytes: Math.floor((info[0] * 3) / 4), createdAt: header?.header.createdAt ?? Number.NaN };
      }
    }
  }

  /** Closes the connection; leaves no socket or timer behind. */
  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    this.#client = undefined;
    if (store) await store.disconnect(true).catch(() => undefined);
  }

  async *#scan(): AsyncIterable<string[]> {
    let cursor = '0';
    do {
      const page = await this.#guard(async (c) => c.scan(cursor, { MATCH: `${NAMESPACE}${SEPARATOR}*`, COUNT: 500 }), null);
      if (!page) return;
      cursor = String(page.cursor);
      yield page.keys.map((k: string) => k.slice(NAMESPACE.length + SEPARATOR.length));
    } while (cursor !== '0');
  }

  async #guard<T, F>(op: (client: Client) => Promise<T>, fallback: F): Promise<T | F> {
    if (this.#down) return fallback;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#opts.timeoutMs} ms`)), this.#opts.timeoutMs);
    });
    try {
      return await Promise.race([this.#connect().then(op), timeout]);
    } catch (err) {
      await this.#fail(err);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  #connect(): Promise<Client> {
    this.#client ??= (async () => {
      const { default: KeyvRedis } = await import('@keyv/redis');
      const store = new KeyvRedis(
        { url: this.#opts.url, socket: { connectTimeout: this.#opts.timeoutMs, reconnectStrategy: false } },
        { namespace: NAMESPACE, keyPrefixSeparator: SEPARATOR, throwOnConnectError: true, throwOnErrors: true },
      );
      store.on('error', (err: unknown) => void this.#fail(err));
      this.#store = store;
      return store.getClient();
    })();
    return this.#client;
  }

  async #fail(err: unknown): Promise<void> {
    if (this.#down) return;
    this.#down = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.#opts.warn(`shared cache at ${maskCredentials(this.#opts.url)} is unreachable or slow (${reason}); carrying on with the local cache`);
    await this.close();
  }
}

function full(key: string): string {
  return `${NAMESPACE}${SEPARATOR}${key}`;
}

