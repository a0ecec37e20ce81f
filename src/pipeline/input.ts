// Records from stdin: a JSON array, NDJSON, or any sequence of JSON values. Streamed: a scanner
// finds where each top-level value (or each element of a top-level array) ends without
// parsing it, then JSON.parse runs on that slice, so `first 3` on an endless stream returns at
// once and memory holds one record at a time. Errors name the line and column. A leading UTF-8
// byte order mark is skipped. A value may nest MAX_DEPTH objects and arrays deep: deeper input is
// refused here, as the scanner counts the depth anyway, because the renderers, sort-by and `=~`
// recurse once per level and would overflow the stack.

import type { Readable } from 'node:stream';
import type { Rec } from '../cli/types.js';
import { usageError } from '../errors.js';

function badInput(what: string, line: number, column: number): Error {
  return usageError('BAD_INPUT', `invalid JSON on stdin at line ${line}, column ${column}: ${what}`,
    'pipe a JSON array or NDJSON (one JSON object per line), e.g. from `strata ... -o ndjson`');
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const MAX_DEPTH = 256;

/** Yields each record read from `input`. A value that is not an object is wrapped as `{value}`. */
export async function* readRecords(input: Readable): AsyncIterable<Rec> {
  input.setEncoding('utf8');
  let buf = '';
  let offset = 0; // absolute position of buf[0]
  let scanFrom = 0;
  let start = -1; // start of the current value in buf; -1 between values
  let depth = 0;
  let inString = false;
  let escaped = false;
  let arrayMode: boolean | null = null;
  let arrayClosed = false;
  let line = 1;
  let lineStart = 0; // absolute position after the last newline
  let valueLine = 1;
  let valueColumn = 1;
  let atStart = true;

  const parse = (text: string): Rec => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badInput((err as Error).message, valueLine, valueColumn);
    }
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Rec) : { value };
  };

  for await (const chunk of input as AsyncIterable<string>) {
    buf += chunk;
    if (atStart && buf.length > 0) {
      atStart = false;
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
    }
    let i = scanFrom;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c === 10) {
        line++;
        lineStart = offset + i + 1;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) inString = false;
        continue;
      }
      if (start === -1) {
        if (isSpace(c)) continue;
        if (arrayMode === null) {
          arrayMode = c === 91;
          if (arrayMode) continue;
        }
        if (arrayMode) {
          if (arrayClosed) throw badInput('unexpected data after the closing ]', line, offset + i - lineStart + 1);
          if (c === 44) continue;
          if (c === 93) {
            arrayClosed = true;
            continue;
          }
        }
        start = i;
        depth = 0;
        valueLine = line;
        valueColumn = offset + i - lineStart + 1;
      }
      if (c === 34) {
        inString = true;
      } else if (c === 123 || c === 91) {
        if (++depth > MAX_DEPTH) {
          throw usageError('INPUT_TOO_DEEP', `input on stdin nests more than ${MAX_DEPTH} objects and arrays deep at line ${line}, column ${offset + i - lineStart + 1}`,
            `strata reads records at most ${MAX_DEPTH} levels deep; flatten the data first (e.g. pick the part you need with jq)`);
        }
      } else if (c === 125 || c === 93) {
        if (depth === 0) {
          // a scalar ended by the enclosing array's ]
          yield parse(buf.slice(start, i));
          start = -1;
          arrayClosed = true;
        } else if (--depth === 0) {
          yield parse(buf.slice(start, i + 1));
          start = -1;
        }
      } else if (depth === 0 && (c === 44 || isSpace(c))) {
        yield parse(buf.slice(start, i));
        start = -1;
      }
    }
    const keep = start === -1 ? buf.length : start;
    offset += keep;
    buf = buf.slice(keep);
    if (start !== -1) start = 0;
    scanFrom = buf.length;
  }
  if (start !== -1) {
    if (depth > 0 || inString) throw badInput('input ended inside a value', valueLine, valueColumn);
    yield parse(buf.slice(start));
  }
  if (arrayMode && !arrayClosed) throw badInput('input ended before the closing ]', line, offset - lineStart + 1);
}
