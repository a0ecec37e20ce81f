// CSV (RFC 4180). Columns come from the first record, widened by later ones' new fields only
// in the header of the first batch; nested values are written as compact JSON.

import type { Renderer } from './renderers.js';
import { ownField } from '../pipeline/path.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const renderCsv: Renderer = async (records, sink) => {
  let columns: string[] | undefined;
  for await (const rec of records) {
    if (!columns) {
      columns = Object.keys(rec);
      await sink.write(columns.map(cell).join(',') + '\n');
    }
    // a later record without a column's field has it empty, not inherited (`constructor`)
    await sink.write(columns.map((c) => cell(ownField(rec, c))).join(',') + '\n');
    if (sink.closed) return;
  }
};
