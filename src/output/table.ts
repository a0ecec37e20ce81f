// The table renderer, Nushell-style. It holds every record (column widths depend on all rows).
// Columns: a command's preferred ones first, then in order of first appearance, leaving out
// columns empty in every row; nested values summarised (`[3 items]`, `{2 fields}`,
// an object with a Name shows the Name); numbers right-aligned; sizes human (fields named
// Size/Bytes); ISO dates shortened. Fits the terminal: wide columns shrink with an ellipsis,
// then columns that still do not fit are dropped, and a footer says which. Control characters
// in names and values show as escapes (`\x1b`, `\n`): they neither reach the terminal raw nor
// throw the widths off.

import type { Rec } from '../cli/types.js';
import type { Renderer } from './renderers.js';
import { formatBytes } from '../util/units.js';
import { ownField } from '../pipeline/path.js';
import { visible } from './visible.js';

const MIN_SHRUNK = 16;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const SIZE_FIELD = /(^|[a-z])(Size|Bytes)$|^(size|bytes)$/;

function summarise(column: string, value: unknown): { text: string; right: boolean } {
  if (value === null || value === undefined) return { text: '', right: false };
  if (typeof value === 'number') {
    return { text: SIZE_FIELD.test(column) ? formatBytes(value) : String(value), right: true };
  }
  if (typeof value === 'boolean') return { text: String(value), right: false };
  if (typeof value === 'string') {
    if (ISO_DATE.test(value)) return { text: value.slice(0, 16).replace('T', ' '), right: false };
    return { text: visible(value).replace(/\s+/g, ' '), right: false };
  }
  if (Array.isArray(value)) {
    const plain = value.every((v) => v === null || typeof v !== 'object');
    const joined = plain ? value.join(', ') : '';
    if (plain && joined.length <= 40) return { text: visible(joined), right: false };
    return { text: `[${value.length} item${value.length === 1 ? '' : 's'}]`, right: false };
  }
  const obj = value as Rec;
  if (typeof obj.Name === 'string') return { text: visible(obj.Name), right: false };
  const n = Object.keys(obj).length;
  return { text: `{${n} field${n === 1 ? '' : 's'}}`, right: false };
}

function fit(text: string, width: number, right: boolean): string {
  const cut = text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text;
  return right ? cut.padStart(width) : cut.padEnd(width);
}

export function layoutTable(records: Rec[], maxWidth: number, colour = false, preferred: string[] = []): string {
  if (records.length === 0) return '';
  const present = new Set(records.flatMap((r) => Object.keys(r)));
  const columns: string[] = preferred.filter((c) => present.has(c));
  const seen = new Set<string>(columns);
  for (const rec of records) {
    for (const k of Object.keys(rec)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  // a column with nothing in any row only takes width from the others
  const filled = columns.filter((c) => records.some((r) => {
    const v = ownField(r, c);
    return v !== null && v !== undefined && v !== '';
  }));
  columns.splice(0, columns.length, ...(filled.length ? filled : columns));
  const cells = records.map((rec) => columns.map((c) => summarise(c, ownField(rec, c))));
  const labels = columns.map(visible);
  const indexWidth = String(records.length - 1).length;
  const widths = labels.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].text.length)));
  const sep = 3; // ' │ '
  const total = () => indexWidth + widths.reduce((a, w) => a + w + sep, 0);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    const excess = total() - maxWidth;
    if (widths[widest] > MIN_SHRUNK) {
      widths[widest] = Math.max(MIN_SHRUNK, widths[widest] - excess);
    } else if (widths.length > 1) {
      widths.pop();
    } else break;
  }
  const shown = widths.length;
  const dropped = labels.slice(shown);
  const bold = (s: string) => (colour ? `\x1b[1;32m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const numeric = columns.map((_, i) => cells.some((row) => row[i].right) && cells.every((row) => row[i].right || row[i].text === ''));
  const header = ['#'.padStart(indexWidth), ...labels.slice(0, shown).map((c, i) => fit(c, widths[i], numeric[i]))];
  lines.push(bold(header.join(' │ ')));
  lines.push(['─'.repeat(indexWidth), ...widths.map((w) => '─'.repeat(w))].join('─┼─'));
  cells.forEach((row, r) => {
    const parts = [String(r).padStart(indexWidth)];
    for (let i = 0; i < shown; i++) parts.push(fit(row[i].text, widths[i], row[i].right));
    lines.push(parts.join(' │ ').trimEnd());
  });
  if (dropped.length > 0) {
    lines.push(`… ${dropped.length} more column${dropped.length === 1 ? '' : 's'}: ${dropped.join(', ')} (use select or -o json)`);
  }
  return lines.join('\n') + '\n';
}

export const renderTable: Renderer = async (records, sink, opts) => {
  const all: Rec[] = [];
  for await (const rec of records) all.push(rec);
  const colour = opts.tty && !process.env.NO_COLOR;
  await sink.write(layoutTable(all, opts.columns ?? 120, colour, opts.preferred));
};
