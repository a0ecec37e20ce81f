// The pipeline verbs through the whole CLI (in process) on hostile input: field names every
// JavaScript object has, a byte order mark, very deep nesting, and control characters that must
// not reach the terminal raw, in a table or in an error message.

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const ndjson = async (argv: string[], stdin: string) => {
  const r = await runCli([...argv, '-o', 'ndjson'], { stdin });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
};
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/; // anything but the newline ending a line

describe('fields every JavaScript object has', () => {
  const one = '[{"a":1}]';

  it('are missing in `where` on records without them', async () => {
    for (const f of ['toString', 'constructor', '__proto__']) {
      expect(await ndjson(['where', `${f} == null`], one)).toBe('{"a":1}\n');
      expect(await ndjson(['where', `${f} != null`], one)).toBe('');
    }
  });

  it('are null in `select`, which writes `__proto__` as a field of its own', async () => {
    expect(await ndjson(['select', 'toString', '__proto__', 'a'], one)).toBe('{"toString":null,"__proto__":null,"a":1}\n');
    expect(await ndjson(['select', '__proto__', 'a'], '{"__proto__":{"x":1},"a":1}')).toBe('{"__proto__":{"x":1},"a":1}\n');
    expect(await ndjson(['select', '__proto__.x'], '{"__proto__":{"x":1}}')).toBe('{"__proto__.x":1}\n');
  });

  it('group under null in `group-by`, keyed by the field name', async () => {
    expect(await ndjson(['group-by', 'constructor', '--no-items'], one)).toBe('{"constructor":null,"count":1}\n');
    expect(await ndjson(['group-by', '__proto__', '--no-items'], '{"a":1}\n{"__proto__":"p"}\n')).toBe('{"__proto__":null,"count":1}\n{"__proto__":"p","count":1}\n');
  });

  it('sort last in `sort-by`, and `get` yields nothing for them', async () => {
    expect(await ndjson(['sort-by', 'constructor'], '{"constructor":"b"}\n{"a":1}\n{"constructor":"a"}\n')).toBe('{"constructor":"a"}\n{"constructor":"b"}\n{"a":1}\n');
    expect(await ndjson(['get', 'constructor'], one)).toBe('');
    expect(await ndjson(['get', 'toString'], one)).toBe('');
  });

  it('are empty in csv rows of records without them', async () => {
    const csv = await runCli(['first', '2', '-o', 'csv'], { stdin: '{"constructor":"c","toString":"t"}\n{"a":1}\n' });
    expect(csv.stdout).toBe('constructor,toString\nc,t\n,\n');
  });
});

describe('a byte order mark at the start of stdin', () => {
  it('is skipped for a JSON array and for NDJSON', async () => {
    expect(await ndjson(['count'], '\ufeff[{"a":1}]')).toBe('{"count":1}\n');
    expect(await ndjson(['count'], '\ufeff{"a":1}\n{"a":2}\n')).toBe('{"count":2}\n');
  });
});

describe('deep nesting', () => {
  const deep = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);

  it.each([
    [['first', '-o', 'json']],
    [['first', '-o', 'ndjson']],
    [['first', '-o', 'yaml']],
    [['first', '-o', 'csv']],
    [['sort-by', 'a']],
    [['where', 'a =~ x']],
  ])('in input records is a usage error naming the limit: %j', async (argv) => {
    const r = await runCli(argv, { stdin: `${deep}\n${deep}\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^strata: input on stdin nests more than 256 objects and arrays deep at line 1, column 1281 — /);
    expect(r.stderr).not.toMatch(/call stack/);
  });

  it.each([
    ['20,000 parentheses', '('.repeat(20_000) + 'a == 1' + ')'.repeat(20_000)],
    ['not 10,000 times', 'not '.repeat(10_000) + 'a == 1'],
  ])('in a where expression (%s) is a usage error naming the limit', async (_, expr) => {
    const r = await runCli(['where', expr], { stdin: '[{"a":1}]' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^strata: where: the expression nests too deeply \(more than 256 levels/);
    expect(r.stderr).not.toMatch(/call stack/);
  });
});

describe('control characters', () => {
  it('show as escapes in table cells, keeping the columns aligned', async () => {
    const r = await runCli(['select', 'v', 'n', '-o', 'table'], { stdin: JSON.stringify([{ v: '\u001b]0;pwned\u0007\u001b[31m', n: 1 }, { v: 'x\ty\nz', n: 22 }]) });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[2]).toContain('\\x1b]0;pwned\\x07\\x1b[31m');
    expect(lines[3]).toContain('x\\ty\\nz');
    expect(lines.map((l) => l.lastIndexOf('│'))).toEqual([lines[0].lastIndexOf('│'), -1, ...lines.slice(2).map(() => lines[0].lastIndexOf('│'))]);
  });

  it.each([
    ['a where expression', ['where', 'a \u001b[2J\u0007 1']],
    ['an unknown command', ['bog\u001b[2Jus']],
    ['an unknown option', ['count', '--x\u001b[2J']],
  ])('show as escapes when an error echoes %s', async (_, argv) => {
    const r = await runCli(argv, { stdin: '[]' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('\\x1b[2J');
    expect(r.stderr.trimEnd()).not.toMatch(RAW_CONTROL);
  });

  it('show as escapes in invalid input echoed by the JSON parser', async () => {
    const r = await runCli(['count'], { stdin: '{"a":1}\n\u001bx\u0007\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2/);
    expect(r.stderr).toContain('\\x1bx\\x07');
    expect(r.stderr.trimEnd()).not.toMatch(RAW_CONTROL);
  });
});

describe('empty field names', () => {
  it.each([
    [['select', ''], 'select: no field named'],
    [['sort-by', ''], 'an empty field name'],
    [['group-by', 'a..b'], "'a..b' is not a field path: one of its parts is empty"],
    [['get', '.a'], "'.a' is not a field path: one of its parts is empty"],
  ])('%j is a usage error, not a pass over nothing', async (argv, message) => {
    const r = await runCli(argv, { stdin: '[{"a":1}]' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});
