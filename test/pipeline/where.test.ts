import { describe, expect, it } from 'vitest';
import { compileWhere } from '../../src/pipeline/where.js';
import { StrataError } from '../../src/errors.js';

const now = () => Date.parse('2026-01-10T00:00:00Z');
const match = (expr: string, rec: unknown) => compileWhere(expr, now)(rec);


/** The usage error (exit 2) compiling `expr` throws; fails the test when it compiles. */
function usageErrorOf(expr: string): StrataError {
  let err: unknown;
  try {
    compileWhere(expr);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(StrataError);
  expect((err as StrataError).exitCode).toBe(2);
  return err as StrataError;
}

describe('where expressions', () => {
  it('compares numbers numerically and strings exactly', () => {
    expect(match('a > 9', { a: 10 })).toBe(true);
    expect(match('a > 9', { a: 2 })).toBe(false);
    expect(match('name == web', { name: 'web' })).toBe(true);
    expect(match('name == "web 1"', { name: 'web 1' })).toBe(true);
    expect(match("name != 'x'", { name: 'y' })).toBe(true);
  });

  it('follows dotted paths into nested records and arrays', () => {
    expect(match('State.Name == running', { State: { Name: 'running' } })).toBe(true);
    expect(match('Tags.env == prod', { Tags: { env: 'prod' } })).toBe(true);
    expect(match('Items.1.id == 7', { Items: [{ id: 1 }, { id: 7 }] })).toBe(true);
    expect(match('Missing.deep == 1', { a: 1 })).toBe(false);
  });

  it('honours and/or precedence, not, and parentheses', () => {
    const rec = { a: 1, b: 2, c: 3 };
    expect(match('a == 1 or b == 9 and c == 9', rec)).toBe(true);
    expect(match('(a == 1 or b == 9) and c == 9', rec)).toBe(false);
    expect(match('not a == 2', rec)).toBe(true);
  });

  it('reads sizes as bytes and durations against dates as ages', () => {
    expect(match('Size > 10kb', { Size: 10_001 })).toBe(true);
    expect(match('Size >= 5MiB', { Size: 5 * 1024 * 1024 })).toBe(true);
    expect(match('LastModified < 1d', { LastModified: '2026-01-09T12:00:00Z' })).toBe(true);
    expect(match('LastModified < 1d', { LastModified: '2026-01-01T00:00:00Z' })).toBe(false);
  });

  it('compares ISO dates as instants', () => {
    expect(match('due_date < "2026-02-01"', { due_date: '2026-01-15T10:00:00Z' })).toBe(true);
    expect(match('due_date < "2026-02-01"', { due_date: null })).toBe(false);
  });

  it('matches regular expressions, membership and containment', () => {
    expect(match('name =~ "^web-\\d+$"', { name: 'web-12' })).toBe(true);
    expect(match('name !~ "^web"', { name: 'db-1' })).toBe(true);
    expect(match('status in [todo, review]', { status: 'review' })).toBe(true);
    expect(match('tags in [cache, perf]', { tags: ['perf', 'x'] })).toBe(true);
    expect(match('tags has perf', { tags: ['perf'] })).toBe(true);
    expect(match('title has Cache', { title: 'Add Cache layer' })).toBe(true);
  });

  it('treats null as missing and booleans as booleans', () => {
    expect(match('x == null', {})).toBe(true);
    expect(match('ok == true', { ok: true })).toBe(true);
    expect(match('ok == true', { ok: 'true' })).toBe(false);
  });

  it.each([
    ['a ==', 5, 'expected a value'],
    ['== 1', 1, 'expected a field'],
    ['a 1', 3, 'expected an operator'],
    ['a == 1 b == 2', 8, "unexpected 'b'"],
    ['(a == 1', 8, "expected ')'"],
    ['a == "x', 6, 'unterminated string'],
    ['a =~ "("', 3, 'bad regular expression'],
    ['Size > 10xb', 8, "'10xb' is not a number, a size (10kb, 5MiB) or a duration (5m, 2h); quote it to compare as text"],
  ])('rejects %j pointing at column %i', (expr, col, what) => {
    const err = usageErrorOf(expr);
    expect(err.message).toContain(`column ${col}`);
    expect(err.message).toContain(what);
  });

  it('never evaluates the expression as code', () => {
    (globalThis as Record<string, unknown>).pwned = false;
    expect(() => compileWhere('a == 1; globalThis.pwned = true')).toThrow(StrataError);
    expect(match('a == "globalThis.pwned=true"', { a: 'x' })).toBe(false);
    expect((globalThis as Record<string, unknown>).pwned).toBe(false);
  });
});

describe('where and the fields every JavaScript object has', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])('treats %s as missing on a record without it', (field) => {
    const rec = JSON.parse('{"a":1,"o":{}}');
    expect(match(`${field} == null`, rec)).toBe(true);
    expect(match(`${field} != null`, rec)).toBe(false);
    expect(match(`o.${field} == null`, rec)).toBe(true);
    expect(match(`a.${field} == null`, rec)).toBe(true);
  });

  it('reads such a field when the record has it', () => {
    const rec = JSON.parse('{"__proto__":{"x":1},"constructor":"c","toString":7}');
    expect(match('__proto__.x == 1', rec)).toBe(true);
    expect(match('constructor == c', rec)).toBe(true);
    expect(match('toString > 6', rec)).toBe(true);
  });
});

describe('where expressions nested or chained very deep', () => {
  const rejects = (expr: string) => {
    const err = usageErrorOf(expr);
    expect(err.message).toMatch(/nests too deeply \(more than 256 levels/);
    expect(err.message.length).toBeLessThan(2_000); // the expression is cut short
  };

  it('refuses more than 256 levels of parentheses, not or lists with a usage error', () => {
    rejects('('.repeat(20_000) + 'a == 1' + ')'.repeat(20_000));
    rejects('not '.repeat(10_000) + 'a == 1');
    rejects('a in ' + '['.repeat(20_000) + '1' + ']'.repeat(20_000));
    rejects('('.repeat(257) + 'a == 1' + ')'.repeat(257));
  });

  it('accepts 256 levels', () => {
    expect(match('('.repeat(256) + 'a == 1' + ')'.repeat(256), { a: 1 })).toBe(true);
    expect(match('not '.repeat(256) + 'a == 1', { a: 1 })).toBe(true);
    expect(match('not '.repeat(255) + 'a == 1', { a: 1 })).toBe(false);
  });

  it('evaluates a long chain of and/or without recursing per link', () => {
    expect(match(Array(50_000).fill('a == 1').join(' and '), { a: 1 })).toBe(true);
    expect(match(Array(50_000).fill('a == 2').join(' or ') + ' or a == 1', { a: 1 })).toBe(true);
    expect(match(Array(50_000).fill('a == 2').join(' or '), { a: 1 })).toBe(false);
  });
});
