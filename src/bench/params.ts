// --param scans: `name=a,b,c` or `name=1..5` (integers, inclusive). Several --param flags give
// their cartesian product; `{name}` in a command is replaced by the value.

import { usageError } from '../errors.js';

export type ParamSet = Record<string, string>;

/** More combinations than anyone times one by one: a typo such as 1..100000000 is refused, not expanded. */
export const MAX_PARAM_SETS = 10_000;

function tooMany(what: string): never {
  throw usageError('BENCH_BAD_PARAM', `--param ${what} gives more than ${MAX_PARAM_SETS.toLocaleString('en-US')} combinations to run.`, 'Scan fewer values, e.g. --param n=1..10, or several smaller scans.');
}

function parseOne(spec: string): [string, string[]] {
  const m = /^([A-Za-z_][\w-]*)=(.+)$/.exec(spec);
  if (!m) {
    throw usageError('BENCH_BAD_PARAM', `Expected --param name=a,b,c or name=1..5, got \`${spec}\`.`, 'Example: --param threads=1,2,4');
  }
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(m[2]);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (hi < lo) throw usageError('BENCH_BAD_PARAM', `Empty range in --param ${spec}.`, 'Write the smaller bound first: 1..5');
    if (hi - lo + 1 > MAX_PARAM_SETS) tooMany(spec);
    return [m[1], Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i))];
  }
  return [m[1], m[2].split(',')];
}

/** All combinations; one empty set when there are no params. */
export function expandParams(specs: readonly string[]): ParamSet[] {
  let sets: ParamSet[] = [{}];
  for (const spec of specs) {
    const [name, values] = parseOne(spec);
    if (sets.length * values.length > MAX_PARAM_SETS) tooMany(specs.join(' --param '));
    sets = sets.flatMap((set) => values.map((v) => ({ ...set, [name]: v })));
  }
  return sets;
}

export function substitute(text: string, params: ParamSet): string {
  return text.replace(/\{([A-Za-z_][\w-]*)\}/g, (whole, name: string) => params[name] ?? whole);
}
