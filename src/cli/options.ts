// Typed option values: commander hands strings; definitions say what they mean.

import type { OptionDef } from './types.js';
import { usageError } from '../errors.js';
import { parseDuration, parseSize } from '../util/units.js';
import { ENDPOINT_URL_FORM, isEndpointUrl } from '../util/urls.js';

/** The long name of a flag (`-s, --status <s>` → `status`), and whether it takes a value. */
export function flagInfo(flags: string): { long: string; short?: string; takesValue: boolean } {
  const long = /--([\w-]+)/.exec(flags)?.[1] ?? '';
  const short = /(?:^|\s)-(\w)\b/.exec(flags)?.[1];
  return { long, short, takesValue: /[<[]/.test(flags) };
}

export function parserFor(def: OptionDef): ((value: string, previous: unknown) => unknown) | undefined {
  const name = `--${flagInfo(def.flags).long}`;
  const one = (value: string): unknown => {
    switch (def.type) {
      case 'number': {
        const n = Number(value);
        if (value.trim() === '' || !Number.isFinite(n)) throw usageError('BAD_OPTION', `${name} expects a number, got '${value}'`, `e.g. ${name} 10`);
        return n;
      }
      case 'duration':
        return parseDuration(value, `${name} duration`);
      case 'size':
        return parseSize(value, `${name} size`);
      case 'list':
        return value.split(',').map((s) => s.trim()).filter(Boolean);
      case 'fraction': {
        const n = Number(value);
        if (value.trim() === '' || !(n >= 0 && n < 1)) throw usageError('BAD_OPTION', `${name} expects a fraction from 0 up to 1, got '${value}'`, `e.g. ${name} 0.05 (5%)`);
        return n;
      }
      case 'endpoint-url':
        if (!isEndpointUrl(value)) throw usageError('BAD_OPTION', `${name} expects ${ENDPOINT_URL_FORM}, got '${value}'`, `e.g. ${name} http://localhost:4566`);
        return value;
      default:
        return value; // `choices` are checked by commander (program.ts)
    }
  };
  if (!flagInfo(def.flags).takesValue) return undefined;
  if (def.repeatable) {
    return (value, previous) => {
      const v = one(value);
      const prev = Array.isArray(previous) ? previous : [];
      return Array.isArray(v) ? [...prev, ...v] : [...prev, v];
    };
  }
  return (value) => one(value);
}
