// Nushell-style verbs over records read from stdin (a JSON array or NDJSON, streamed).
// where/select/first/get/count stream in constant memory; sort-by and group-by hold every
// record (they must) and say so in their help.

import type { CommandDef, Rec } from '../cli/types.js';
import { readRecords } from '../pipeline/input.js';
import { compileWhere } from '../pipeline/where.js';
import { compilePath } from '../pipeline/path.js';
import { usageError } from '../errors.js';
import { compareValues } from '../util/compare.js';

const SAMPLE = '[{"name":"a","size":3,"state":{"Name":"running"}},{"name":"b","size":10,"state":{"Name":"stopped"}},{"name":"c","size":7,"state":{"Name":"running"}}]';

const where: CommandDef = {
  name: 'where',
  summary: 'Keep the records that match an expression',
  description: 'Expression: `field op value` joined by and/or/not, with parentheses. Ops: == != < <= > >= =~ !~ in has. Values: numbers, "strings", bare words, true/false/null, sizes (10kb, 5MiB), durations (30s, 5m, 1d: against a date field, its age), [lists].',
  args: [{ name: 'expression', summary: 'e.g. State.Name == running and Size > 10kb', required: true, variadic: true }],
  input: 'any records',
  output: 'the matching records, unchanged',
  examples: [
    { summary: 'running things larger than 5', argv: ['where', 'state.Name == running and size > 5'], stdin: SAMPLE, expected: [{ name: 'c', size: 7, state: { Name: 'running' } }] },
    { summary: 'names matching a pattern', argv: ['where', 'name =~ "^[ab]$"'], stdin: SAMPLE, expected: [{ name: 'a', size: 3, state: { Name: 'running' } }, { name: 'b', size: 10, state: { Name: 'stopped' } }] },
  ],
  async *run(ctx) {
    const test = compileWhere((ctx.args.expression as string[]).join(' '));
    for await (const rec of readRecords(ctx.io.stdin)) if (test(rec)) yield rec;
  },
};

const select: CommandDef = {
  name: 'select',
  summary: 'Keep only the named fields (dotted paths allowed)',
  args: [{ name: 'fields', summary: 'field names or paths such as State.Name', required: true, variadic: true }],
  input: 'any records',
  output: 'records with just those fields, in that order',
  examples: [{ summary: 'two fields', argv: ['select', 'name', 'state.Name'], stdin: SAMPLE, expected: [{ name: 'a', 'state.Name': 'running' }, { name: 'b', 'state.Name': 'stopped' }, { name: 'c', 'state.Name': 'running' }] }],
  async *run(ctx) {
    const fields = (ctx.args.fields as string[]).flatMap((f) => f.split(',')).filter(Boolean);
    if (fields.length === 0) throw usageError('BAD_FIELD', 'select: no field named', 'give one or more fields, e.g. select Name State.Name');
    const getters = fields.map((f) => [f, compilePath(f)] as const);
    for await (const rec of readRecords(ctx.io.stdin)) {
      const out: Rec = {};
      for (const [f, get] of getters) {
        // `out.__proto__ = v` would set the prototype, not a field (Object.fromEntries is 4x slower)
        if (f === '__proto__') Object.defineProperty(out, f, { value: get(rec) ?? null, writable: true, enumerable: true, configurable: true });
        else out[f] = get(rec) ?? null;
      }
      yield out;
    }
  },
};

const sortBy: CommandDef = {
  name: 'sort-by',
  summary: 'Sort records by one or more fields',
  args: [{ name: 'fields', summary: 'fields to sort by, first one first', required: true, variadic: true }],
  options: [{ flags: '-r, --reverse', summary: 'largest first' }],
  input: 'any records',
  output: 'the same records, sorted (empty values last)',
  collects: true,
  examples: [{ summary: 'largest first', argv: ['sort-by', 'size', '--reverse'], stdin: SAMPLE, expected: [{ name: 'b', size: 10, state: { Name: 'stopped' } }, { name: 'c', size: 7, state: { Name: 'running' } }, { name: 'a', size: 3, state: { Name: 'running' } }] }],
  async *run(ctx) {
    const getters = (ctx.args.fields as string[]).map(compilePath);
    const all: Rec[] = [];
    for await (const rec of readRecords(ctx.io.stdin)) all.push(rec);
    const direction = ctx.opts.reverse ? -1 : 1;
    all.sort((a, b) => {
      for (const get of getters) {
        const c = compareValues(get(a), get(b), direction);
        if (c !== 0) return c;
      }
      return 0;
    });
    yield* all;
  },
};

const first: CommandDef = {
  name: 'first',
  summary: 'Take the first n records and stop reading',
  args: [{ name: 'n', summary: 'how many (default 1)' }],
  input: 'any records',
  output: 'the first n records',
  examples: [{ summary: 'the first two', argv: ['first', '2'], stdin: SAMPLE, expected: [{ name: 'a', size: 3, state: { Name: 'running' } }, { name: 'b', size: 10, state: { Name: 'stopped' } }] }],
  async *run(ctx) {
    const n = ctx.args.n === undefined ? 1 : Number(ctx.args.n);
    if (!Number.isInteger(n) || n < 0) throw usageError('BAD_ARGUMENT', `first: n must be a whole number >= 0, got '${ctx.args.n}'`, 'e.g. strata first 10');
    if (n === 0) return;
    let taken = 0;
    for await (const rec of readRecords(ctx.io.stdin)) {
      yield rec;
      if (++taken >= n) return;
    }
  },
};

const groupBy: CommandDef = {
  name: 'group-by',
  summary: 'Group records by a field',
  args: [{ name: 'field', summary: 'field or path to group on', required: true }],
  options: [{ flags: '--no-items', summary: 'only the counts, not the grouped records' }],
  input: 'any records',
  output: '{<field>, count, items} per distinct value, in order of first appearance',
  collects: true,
  examples: [{ summary: 'count per state', argv: ['group-by', 'state.Name', '--no-items'], stdin: SAMPLE, expected: [{ 'state.Name': 'running', count: 2 }, { 'state.Name': 'stopped', count: 1 }] }],
  async *run(ctx) {
    const field = ctx.args.field as string;
    const get = compilePath(field);
    const groups = new Map<string, { value: unknown; items: Rec[]; count: number }>();
    for await (const rec of readRecords(ctx.io.stdin)) {
      const value = get(rec) ?? null;
      const key = typeof value === 'object' ? JSON.stringify(value) : `${typeof value}:${String(value)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { value, items: [], count: 0 }));
      g.count++;
      if (ctx.opts.items !== false) g.items.push(rec);
    }
    // a computed key is an own field even when it is `__proto__`
    for (const g of groups.values()) {
      yield ctx.opts.items === false ? { [field]: g.value, count: g.count } : { [field]: g.value, count: g.count, items: g.items };
    }
  },
};

const count: CommandDef = {
  name: 'count',
  summary: 'Count the records',
  input: 'any records',
  output: '{count}',
  examples: [
    { summary: 'how many', argv: ['count'], stdin: SAMPLE, expected: [{ count: 3 }] },
    { summary: 'an empty list', argv: ['count'], stdin: '[]', expected: [{ count: 0 }] },
  ],
  async *run(ctx) {
    let n = 0;
    for await (const _ of readRecords(ctx.io.stdin)) n++;
    yield { count: n };
  },
};

const get: CommandDef = {
  name: 'get',
  summary: 'Take one field out of each record',
  description: 'An object value becomes the record; a list value yields its items; a plain value becomes {value}.',
  args: [{ name: 'field', summary: 'field or path', required: true }],
  input: 'any records',
  output: 'the field values',
  examples: [
    { summary: 'the state objects', argv: ['get', 'state'], stdin: SAMPLE, expected: [{ Name: 'running' }, { Name: 'stopped' }, { Name: 'running' }] },
    { summary: 'plain values', argv: ['get', 'name'], stdin: SAMPLE, expected: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] },
  ],
  async *run(ctx) {
    const pick = compilePath(ctx.args.field as string);
    const wrap = (v: unknown): Rec => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : { value: v });
    for await (const rec of readRecords(ctx.io.stdin)) {
      const v = pick(rec);
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) yield wrap(item);
      else yield wrap(v);
    }
  },
};

export const pipelineCommands: CommandDef[] = [where, select, sortBy, first, groupBy, count, get];
