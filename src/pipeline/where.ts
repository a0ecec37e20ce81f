// The `where` language, parsed (never evaluated as code) into a predicate closure.
//   expr    := and ('or' and)*
//   and     := unary ('and' unary)*
//   unary   := 'not' unary | '(' expr ')' | path op value
//   op      := == != < <= > >= =~ !~ in has
//   value   := number | size (10kb, 5MiB) | duration (30s, 5m, 2h, 1d) | "string" | 'string'
//            | true | false | null | [value, ...] | bare-word (a string; digits then letters that
//            are no unit, such as 10xb, are refused as a typo)
// Semantics: numbers compare numerically; two date-like strings compare as instants; a duration
// against a date field compares the date's age (`LastModified < 1d`: changed within a day);
// `=~` is a regular-expression search; `in` tests membership in a list (any overlap for an
// array field); `has` tests that an array field contains the value (or a string the substring).
// Errors name the column of the expression and exit 2. Parentheses, `not` and lists nest at most
// MAX_NESTING deep: the parser and the predicate it builds recurse once per level.

import { usageError } from '../errors.js';
import { compilePath } from './path.js';
import { DURATION_MS, SIZE_BYTES } from '../util/units.js';

type Value = string | number | boolean | null | Value[] | { duration: number };
type Predicate = (rec: unknown) => boolean;
type Op = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~' | 'in' | 'has';

interface Token {
  kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'end';
  text: string;
  col: number;
}

const OPS = ['==', '!=', '<=', '>=', '=~', '!~', '<', '>'];
const MAX_NESTING = 256;

function fail(expr: string, col: number, what: string): never {
  // a long expression is shown up to a little past the column
  const end = Math.max(col + 40, 200);
  const shown = expr.length > end ? `${expr.slice(0, end)}…` : expr;
  throw usageError('BAD_EXPRESSION', `where: ${what} at column ${col}: ${shown}`,
    'write `field op value` joined by and/or, e.g. `State.Name == running and Size > 10kb`; ops: == != < <= > >= =~ !~ in has');
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const col = i + 1;
    const op = OPS.find((o) => expr.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, col });
      i += op.length;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < expr.length && expr[j] !== c) {
        // only the quote and the backslash itself are escapes; `\d` reaches a regex intact
        if (expr[j] === '\\' && (expr[j + 1] === c || expr[j + 1] === '\\')) j++;
        text += expr[j++];
      }
      if (j >= expr.length) fail(expr, col, 'unterminated string');
      tokens.push({ kind: 'string', text, col });
      i = j + 1;
    } else if ('()[],'.includes(c)) {
      const kind = ({ '(': 'lparen', ')': 'rparen', '[': 'lbracket', ']': 'rbracket', ',': 'comma' } as const)[c as '('];
      tokens.push({ kind, text: c, col });
      i++;
    } else {
      const m = /^[^\s()[\],=!<>'"]+/.exec(expr.slice(i));
      if (!m) fail(expr, col, `unexpected '${c}'`);
      tokens.push({ kind: 'word', text: m[0], col });
      i += m[0].length;
    }
  }
  tokens.push({ kind: 'end', text: '', col: expr.length + 1 });
  return tokens;
}

const NUMBER = /^-?\d+(\.\d+)?$/;
// Stricter than the option parsers in util/units: here a size needs a byte unit (b, kb, mib ...),
// because a lone `m` is minutes (`LastModified < 5m`), and units are not rounded.
const SIZE = /^(\d+(?:\.\d+)?)(b|kb|mb|gb|tb|kib|mib|gib|tib)$/i;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const NUMBER_WITH_LETTERS = /^\d+(\.\d+)?[a-z]+$/i;

function wordValue(text: string): Value {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (NUMBER.test(text)) return Number(text);
  let m = SIZE.exec(text);
  if (m) return Number(m[1]) * SIZE_BYTES[m[2].toLowerCase()];
  m = DURATION.exec(text);
  if (m) return { duration: Number(m[1]) * DURATION_MS[m[2]] };
  return text;
}

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const asInstant = (v: unknown): number | null => (typeof v === 'string' && ISO_LIKE.test(v) ? Date.parse(v) : null);

function compare(a: unknown, b: Value, now: () => number): number | null {
  if (b !== null && typeof b === 'object' && 'duration' in b) {
    if (typeof a === 'number') return a - b.duration;
    const t = asInstant(a) ?? (a instanceof Date ? a.getTime() : null);
    return t === null ? null : now() - t - b.duration; // age vs duration
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number' && typeof b === 'string' && NUMBER.test(b)) return a - Number(b);
  const ta = asInstant(a);
  const tb = asInstant(b);
  if (ta !== null && tb !== null) return ta - tb;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function equals(a: unknown, b: Value): boolean {
  if (b === null) return a === null || a === undefined;
  if (typeof b === 'number' && typeof a === 'string' && NUMBER.test(a)) return Number(a) === b;
  if (typeof b === 'string' && typeof a === 'number') return String(a) === b;
  if (typeof b === 'object' && b !== null && 'duration' in b) return a === b.duration;
  return a === b;
}

function makeTest(op: Op, value: Value, expr: string, col: number, now: () => number): (a: unknown) => boolean {
  switch (op) {
    case '==':
      return (a) => equals(a, value);
    case '!=':
      return (a) => !equals(a, value);
    case '<':
      return (a) => (compare(a, value, now) ?? NaN) < 0;
    case '<=':
      return (a) => (compare(a, value, now) ?? NaN) <= 0;
    case '>':
      return (a) => (compare(a, value, now) ?? NaN) > 0;
    case '>=':
      return (a) => (compare(a, value, now) ?? NaN) >= 0;
    case '=~':
    case '!~': {
      if (typeof value !== 'string') fail(expr, col, `${op} needs a string pattern`);
      let re: RegExp;
      try {
        re = new RegExp(value);
      } catch (err) {
        fail(expr, col, `bad regular expression (${(err as Error).message})`);
      }
      const hit = (a: unknown) => a !== null && a !== undefined && re.test(typeof a === 'string' ? a : JSON.stringify(a));
      return op === '=~' ? hit : (a) => !hit(a);
    }
    case 'in': {
      const list = Array.isArray(value) ? value : [value];
      return (a) => (Array.isArray(a) ? a.some((x) => list.some((v) => equals(x, v))) : list.some((v) => equals(a, v)));
    }
    case 'has':
      return (a) =>
        Array.isArray(a) ? a.some((x) => equals(x, value)) : typeof a === 'string' && typeof value === 'string' && a.includes(value);
  }
}

export function compileWhere(expr: string, now: () => number = Date.now): Predicate {
  if (!expr.trim()) fail(expr, 1, 'empty expression');
  const tokens = tokenize(expr);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const isWord = (t: Token, w: string) => t.kind === 'word' && t.text === w;
  let nesting = 0;
  const deeper = (t: Token) => {
    if (++nesting > MAX_NESTING) fail(expr, t.col, `the expression nests too deeply (more than ${MAX_NESTING} levels of parentheses, not and lists; use fewer)`);
  };

  function parseValue(): Value {
    const t = next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'word') {
      const value = wordValue(t.text);
      // `10xb`: a number with a unit that is none of ours is a typo, not a string to compare
      if (typeof value === 'string' && NUMBER_WITH_LETTERS.test(value)) {
        fail(expr, t.col, `'${value}' is not a number, a size (10kb, 5MiB) or a duration (5m, 2h); quote it to compare as text`);
      }
      return value;
    }
    if (t.kind === 'lbracket') {
      deeper(t);
      const items: Value[] = [];
      if (peek().kind === 'rbracket') next();
      else {
        for (;;) {
          items.push(parseValue());
          const sep = next();
          if (sep.kind === 'rbracket') break;
          if (sep.kind !== 'comma') fail(expr, sep.col, "expected ',' or ']' in a list");
        }
      }
      nesting--;
      return items;
    }
    fail(expr, t.col, t.kind === 'end' ? 'expected a value, found the end' : `expected a value, found '${t.text}'`);
  }

  function parseComparison(): Predicate {
    const field = next();
    if (field.kind !== 'word' || ['and', 'or', 'not'].includes(field.text)) {
      fail(expr, field.col, field.kind === 'end' ? 'expected a field, found the end' : `expected a field, found '${field.text}'`);
    }
    const opTok = next();
    const op = opTok.kind === 'op' || isWord(opTok, 'in') || isWord(opTok, 'has') ? (opTok.text as Op) : null;
    if (!op) fail(expr, opTok.col, opTok.kind === 'end' ? `expected an operator after '${field.text}'` : `expected an operator, found '${opTok.text}'`);
    const value = parseValue();
    const get = compilePath(field.text);
    const test = makeTest(op, value, expr, opTok.col, now);
    return (rec) => test(get(rec));
  }

  function parseUnary(): Predicate {
    const t = peek();
    if (!isWord(t, 'not') && t.kind !== 'lparen') return parseComparison();
    deeper(next());
    let result: Predicate;
    if (t.kind === 'lparen') {
      result = parseOr();
      const close = next();
      if (close.kind !== 'rparen') fail(expr, close.col, "expected ')'");
    } else {
      const inner = parseUnary();
      result = (rec) => !inner(rec);
    }
    nesting--;
    return result;
  }

  // a chain of and/or is one loop, not nested closures: a long chain must not recurse per link
  function parseAnd(): Predicate {
    const all = [parseUnary()];
    while (isWord(peek(), 'and')) {
      next();
      all.push(parseUnary());
    }
    if (all.length === 1) return all[0];
    return (rec) => {
      for (const p of all) if (!p(rec)) return false;
      return true;
    };
  }

  function parseOr(): Predicate {
    const any = [parseAnd()];
    while (isWord(peek(), 'or')) {
      next();
      any.push(parseAnd());
    }
    if (any.length === 1) return any[0];
    return (rec) => {
      for (const p of any) if (p(rec)) return true;
      return false;
    };
  }

  const predicate = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') fail(expr, rest.col, `unexpected '${rest.text}' (join conditions with and/or)`);
  return predicate;
}
