// The real launcher as a child process: exit codes, streams, broken pipes, signals.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/strata.js');
const env: NodeJS.ProcessEnv = { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'strata-e2e-')), STRATA_CACHE_DIR: mkdtempSync(join(tmpdir(), 'strata-e2e-cache-')) };
delete env.STRATA_OUTPUT;

function strata(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, env, encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('strata as a process', () => {
  it('prints its version', () => {
    const r = strata(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('writes one JSON array when piped, NDJSON on request', () => {
    expect(JSON.parse(strata(['where', 'a > 1'], '{"a":1}\n{"a":2}\n').stdout)).toEqual([{ a: 2 }]);
    expect(strata(['select', 'a', '-o', 'ndjson'], '[{"a":1,"b":2},{"a":3}]').stdout).toBe('{"a":1}\n{"a":3}\n');
  });

  it('hands a slow reader every byte before it exits (output far larger than the pipe buffer)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-slow-'));
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: i, pad: 'x'.repeat(40) })).join('\n'));
    // the reader sleeps first: the 64 KiB pipe fills and strata has to wait before it may exit
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" select id -o ndjson < "${input}" | (sleep 0.5; awk 'END { print; print NR }')`], { env, encoding: 'utf8' });
    expect(r.stdout.split('\n').map((l) => l.trim())).toEqual(['{"id":19999}', '20000', '']);
  });

  it('honours STRATA_OUTPUT and lets -o win over it', () => {
    const r = spawnSync(process.execPath, [bin, 'count'], { input: '[]', env: { ...env, STRATA_OUTPUT: 'csv' }, encoding: 'utf8' });
    expect(r.stdout).toBe('count\n0\n');
    const r2 = spawnSync(process.execPath, [bin, 'count', '-o', 'ndjson'], { input: '[]', env: { ...env, STRATA_OUTPUT: 'csv' }, encoding: 'utf8' });
    expect(r2.stdout).toBe('{"count":0}\n');
  });

  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['count', '--bogus'], /unknown option '--bogus'/],
    [['count', '-o', 'xml'], /Allowed choices are table, json, ndjson, yaml, csv/],
    [['where', 'a =='], /where: expected a value, found the end at column 5/],
    [['--config', '/no/such.yaml', 'count'], /config file \/no\/such.yaml does not exist/],
  ])('exits 2 with one clear line for %j', (args, message) => {
    const r = strata(args as string[], '[]');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the line of invalid JSON input and exits 2', () => {
    const r = strata(['count'], '{"a":1}\n{oops}\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2/);
  });

  it('leaves the JSON array open after bad input midway, so the next command in a pipe fails too', () => {
    const r = strata(['where', 'a > 0'], '{"a":1}\n{"a":2}\n{oops}\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('[\n{"a":1},\n{"a":2}');
    const piped = spawnSync('sh', ['-c', `printf '{"a":1}\\n{oops}\\n' | "${process.execPath}" "${bin}" where 'a > 0' | "${process.execPath}" "${bin}" count`], { env, encoding: 'utf8' });
    expect(piped.status).toBe(2);
    expect(piped.stderr).toMatch(/line 2/);
  });

  it('returns at once from `first` on an endless stream', async () => {
    const child = spawn(process.execPath, [bin, 'first', '3', '-o', 'ndjson'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const feed = setInterval(() => child.stdin.write('{"n":1}\n'.repeat(100), () => undefined), 5);
    child.stdin.on('error', () => undefined);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearInterval(feed);
    expect(code).toBe(0);
    expect(out).toBe('{"n":1}\n'.repeat(3));
  });

  it('exits quietly on a broken pipe, with 1 (the output was cut short)', () => {
    const records = Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ i })).join('\n');
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${bin} select i -o ndjson | head -1`], { input: records, env, encoding: 'utf8' });
    expect(r.stdout).toBe('{"i":0}\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
  });

  it('prints completion scripts that the shells accept', () => {
    const bash = strata(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(spawnSync('bash', ['-n'], { input: bash.stdout }).status).toBe(0);
    const zsh = strata(['completion', 'zsh']);
    expect(zsh.stdout).toContain('compdef _strata strata');
    expect(strata(['completion', 'fish']).stdout).toContain('complete -c strata');
  });

  it('completes command words in a real bash', () => {
    const script = strata(['completion', 'bash']).stdout;
    const r = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(strata sel); COMP_CWORD=1; _strata; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('select');
    const r2 = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(strata sort-by --re); COMP_CWORD=2; _strata; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    expect(r2.stdout.trim().split(' ')).toContain('--reverse');
  });
});
