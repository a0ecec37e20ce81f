import { describe, expect, it } from 'vitest';
import { layoutTable } from '../../src/output/table.js';
import { formatBytes as humanBytes } from '../../src/util/units.js';

describe('table layout', () => {
  it('summarises nested values, right-aligns numbers and formats sizes and dates', () => {
    const text = layoutTable([
      { Name: 'web', Size: 2048, State: { Code: 16, Name: 'running' }, Tags: { env: 'prod', team: 'x' }, When: '2026-01-02T03:04:05.000Z', Ids: [1, 2] },
      { Name: 'db', Size: 5, State: { Code: 80, Name: 'stopped' }, Tags: {}, When: null, Ids: [] },
    ], 200);
    const [header, rule, row0, row1] = text.split('\n');
    expect(header).toMatch(/^# │ Name │ +Size │ State +│ Tags +│ When +│ Ids/);
    expect(rule).toMatch(/^─+┼/);
    expect(row0).toContain('2.0 KiB');
    expect(row0).toContain('running');
    expect(row0).toContain('{2 fields}');
    expect(row0).toContain('2026-01-02 03:04');
    expect(row0).toContain('1, 2');
    expect(row1).toMatch(/ +5 B │/);
  });

  it('fits the terminal: shrinks wide columns, then drops the ones that do not fit and says so', () => {
    const rec = { a: 'x'.repeat(80), b: 'y'.repeat(30), c: 'z', d: 'w', e: 'v'.repeat(40) };
    const text = layoutTable([rec], 60);
    for (const line of text.trimEnd().split('\n').slice(0, -1)) expect(line.length).toBeLessThanOrEqual(60);
    expect(text).toContain('…');
    expect(text).toMatch(/more column/);
  });

  it('uses column order of first appearance across records', () => {
    const header = layoutTable([{ b: 1 }, { a: 2, b: 3 }], 80).split('\n')[0];
    expect(header.indexOf('b')).toBeLessThan(header.indexOf('a'));
  });

  it('formats byte counts in binary units', () => {
    expect(humanBytes(512)).toBe('512 B');
    expect(humanBytes(1536)).toBe('1.5 KiB');
    expect(humanBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });
});

describe('table columns a command prefers', () => {
  it('come first, and the long ones left last are the ones dropped', () => {
    const text = layoutTable([{ description: 'd'.repeat(50), id: 't-1', status: 'todo' }], 30, false, ['id', 'status']);
    const header = text.split('\n')[0];
    expect(header).toMatch(/^# │ id +│ status/);
    expect(text).toMatch(/more column: description/);
  });
});

describe('table columns empty in every row', () => {
  it('are left out', () => {
    const header = layoutTable([{ a: 1, b: null, c: '' }, { a: 2, b: undefined, c: '' }], 80).split('\n')[0];
    expect(header.trim()).toBe('# │ a');
  });
});

describe('table cells with control characters', () => {
  const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/; // anything but the newline between rows

  it('show them as escapes, so nothing reaches the terminal raw and the columns stay aligned', () => {
    const text = layoutTable([
      { name: '\u001b]0;pwned\u0007\u001b[31m', n: 1 },
      { name: 'a\tb\nc\rd\u007f\u009b2J', n: 2 },
      { name: 'plain', n: 3 },
    ], 200);
    expect(text).not.toMatch(RAW_CONTROL);
    const lines = text.trimEnd().split('\n');
    expect(lines[2]).toContain('\\x1b]0;pwned\\x07\\x1b[31m');
    expect(lines[3]).toContain('a\\tb\\nc\\rd\\x7f\\x9b2J');
    expect(lines).toHaveLength(5);
    const bar = lines[0].indexOf('│', 2);
    for (const line of [lines[0], ...lines.slice(2)]) expect(line.indexOf('│', 2)).toBe(bar);
  });

  it('escape them in column names, lists, names of nested objects and the footer of dropped columns', () => {
    const text = layoutTable([{ 'k\u001b': 1, list: ['x\u0007'], obj: { Name: 'n\u009d' }, ['long\u001b' + 'z'.repeat(40)]: 'v'.repeat(60) }], 40);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('k\\x1b');
    expect(text).toContain('x\\x07');
    expect(text).toContain('n\\x9d');
    expect(text).toMatch(/more column: long\\x1bz+/);
  });

  it('escape the invisible characters that reorder or hide text: bidi overrides, zero-width space, BOM', () => {
    const text = layoutTable([{ v: 'a\u202eb\u2066c\u200bd\ufeffe' }], 80);
    expect(text).toContain('a\\u202eb\\u2066c\\u200bd\\ufeffe');
  });
});

describe('table cells of fields every JavaScript object has', () => {
  it('are empty in records without the field', () => {
    const text = layoutTable([{ constructor: 'c', toString: 't' }, { a: 1 }], 200);
    expect(text).not.toMatch(/function|native|field/);
    expect(text.split('\n')[3]).toMatch(/^1 │ +│ +│ +1$/);
  });
});
