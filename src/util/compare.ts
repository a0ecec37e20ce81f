// Ordering values the way a person expects, shared by `sort-by` and `tasks ls --sort`: empty
// values (null, undefined) last in either direction; numbers by value; false before true; anything
// else as text by code point (ISO dates and times therefore sort by instant).

export function compareValues(a: unknown, b: unknown, direction: 1 | -1 = 1): number {
  const emptyA = a === null || a === undefined;
  const emptyB = b === null || b === undefined;
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  let c: number;
  if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else if (typeof a === 'boolean' && typeof b === 'boolean') c = Number(a) - Number(b);
  else {
    const sa = typeof a === 'string' ? a : JSON.stringify(a);
    const sb = typeof b === 'string' ? b : JSON.stringify(b);
    c = sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  return direction * c;
}
