import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { watchConfig } from '../../src/config/watch.js';

const dir = () => mkdtempSync(join(tmpdir(), 'strata-config-'));

function write(text: string): string {
  const d = dir();
  const file = join(d, 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('configuration', () => {
  it('uses defaults when no file exists', async () => {
    const { config } = await loadConfig({ env: {}, cwd: '/', home: dir() });
    expect(config.scheduler.concurrency).toBe(16);
    expect(config.cache.memory.policy).toBe('sieve');
  });

  it('reads a file and parses durations and sizes', async () => {
    const file = write('cache:\n  defaultTtl: 2m\n  memory:\n    maxBytes: 8MiB\n  ttl:\n    - match: "aws:*"\n      ttl: 30s\nscheduler:\n  concurrency: 4\n');
    const { config } = await loadConfig({ file, env: {}, cwd: '/' });
    expect(config.cache.defaultTtl).toBe(120_000);
    expect(config.cache.memory.maxBytes).toBe(8 * 1024 * 1024);
    expect(config.cache.ttl).toEqual([{ match: 'aws:*', ttl: 30_000 }]);
    expect(config.scheduler.concurrency).toBe(4);
  });

  it('lets the environment override the file', async () => {
    const file = write('cache:\n  dir: /from/file\noutput: csv\n');
    const { config } = await loadConfig({ file, env: { STRATA_CACHE_DIR: '/from/env', STRATA_OUTPUT: 'ndjson' }, cwd: '/' });
    expect(config.cache.dir).toBe('/from/env');
    expect(config.output).toBe('ndjson');
  });

  it.each([
    ['scheduler:\n  concurrency: "lots"\n', /`scheduler.concurrency` must be an integer >= 1, got "lots"/],
    ['cache:\n  defaultTtl: soon\n', /`cache.defaultTtl` must be a duration/],
    ['cache:\n  ttl:\n    - match: "x"\n', /`cache.ttl\[0\].ttl` must be a duration/],
    ['colour: red\n', /unknown key `colour`/],
    ['- a\n- b\n', /top level must be a mapping/],
    ['a: [\n', /not valid YAML/],
  ])('rejects %j naming the key and the expected form', async (text, message) => {
    const file = write(text);
    await expect(loadConfig({ file, env: {}, cwd: '/' })).rejects.toMatchObject({ kind: 'usage', message: expect.stringMatching(message) });
  });

  it.each(['aws:[ec2', 'aws:{ec2,s3', 'aws:*/x', 'aws:[z-a]', ''])('rejects the TTL rule glob %j at load, naming the file, the key and the accepted forms', async (match) => {
    const file = write(`cache:\n  ttl:\n    - match: "aws:*"\n      ttl: 1m\n    - match: ${JSON.stringify(match)}\n      ttl: 30s\n`);
    const err = await loadConfig({ file, env: {}, cwd: '/' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'BAD_CONFIG', exitCode: 2 });
    expect(err.message).toContain(`config ${file}: \`cache.ttl[1].match\` must be a key or a glob: '*' any run of characters`);
    expect(err.message).toContain(`got ${JSON.stringify(match)}`);
  });

  it.each([
    ['cache:\n  redisUrl: "not a url"\n', /`cache.redisUrl` must be a redis:\/\/ or rediss:\/\/ URL/],
    ['cache:\n  redisUrl: "http://localhost:6379"\n', /`cache.redisUrl` must be a redis:\/\/ or rediss:\/\/ URL/],
    ['endpointUrl: localhost:4566\n', /`endpointUrl` must be an http:\/\/ or https:\/\/ URL with a host/],
    ['endpointUrl: "ftp://x"\n', /`endpointUrl` must be an http:\/\/ or https:\/\/ URL with a host/],
    ['warm:\n  every: nonsense\n', /`warm.every` must be a duration of 1s or more such as 15m, or a cron expression/],
    ['warm:\n  every: 10ms\n', /`warm.every` must be a duration of 1s or more/],
  ])('rejects the URL in %j at load, naming the key and the form', async (text, message) => {
    const file = write(text);
    await expect(loadConfig({ file, env: {}, cwd: '/' })).rejects.toMatchObject({ code: 'BAD_CONFIG', exitCode: 2, message: expect.stringMatching(message) });
  });

  it.each([
    [{ STRATA_REDIS_URL: 'not a url' }, 'STRATA_REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://localhost:6379, got "not a url"'],
    [{ AWS_ENDPOINT_URL: 'notaurl' }, 'AWS_ENDPOINT_URL must be an http:// or https:// URL with a host, e.g. http://localhost:4566, got "notaurl"'],
    // the password of a malformed URL is not echoed
    [{ STRATA_REDIS_URL: 'redis//:s3cret@cache.internal:6379' }, 'STRATA_REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://localhost:6379, got "redis//:***@cache.internal:6379"'],
  ])('rejects a malformed URL from the environment (%j), naming the variable', async (env, message) => {
    const err = await loadConfig({ env, cwd: '/', home: '/no/such/home' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'BAD_ENV', exitCode: 2, message, hint: expect.stringMatching(/fix or unset (STRATA_REDIS_URL|AWS_ENDPOINT_URL)/) });
  });

  it('accepts the URLs it should', async () => {
    const file = write('endpointUrl: "https://s3.example.com:9000/base"\ncache:\n  redisUrl: "rediss://user:pw@cache.example.com:6380/2"\n');
    const { config } = await loadConfig({ file, env: { STRATA_REDIS_URL: 'redis://127.0.0.1:6379', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, cwd: '/' });
    expect([config.endpointUrl, config.cache.redisUrl]).toEqual(['http://127.0.0.1:4566', 'redis://127.0.0.1:6379']);
  });

  it('names a config path that is a folder as a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-config-dir-'));
    await expect(loadConfig({ file: dir, env: {}, cwd: '/' })).rejects.toMatchObject({ code: 'BAD_CONFIG', exitCode: 2, message: `config file ${dir} is a folder, not a file` });
  });

  it('fails clearly when a named config file does not exist', async () => {
    await expect(loadConfig({ file: '/no/such/strata.yaml', env: {}, cwd: '/' })).rejects.toThrow(/does not exist/);
  });

  it('hot-reloads a valid edit and keeps the old config on an invalid one', async () => {
    const file = write('scheduler:\n  concurrency: 2\n');
    const seen: number[] = [];
    const errors: string[] = [];
    const w = watchConfig(file, { env: {}, cwd: '/' }, (c) => seen.push(c.scheduler.concurrency), (e) => errors.push(e.message), 20);
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(file, 'scheduler:\n  concurrency: 0\n');
    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
    writeFileSync(file, 'scheduler:\n  concurrency: 7\n');
    await expect.poll(() => seen, { timeout: 5000 }).toEqual([7]);
    w.close();
    expect(errors[0]).toMatch(/integer >= 1/);
  });
});
