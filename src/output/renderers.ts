// Renderers turn a stream of records into text on a Sink. json/ndjson/csv stream in constant
// memory; yaml streams one document item at a time; table holds every record (it must know
// column widths) and says so in the docs.

import type { Rec } from '../cli/types.js';
import type { OutputFormat } from '../cli/globals.js';
import type { Sink } from './sink.js';
import { jsonOf } from './json-text.js';

export interface RenderOptions {
  columns?: number;
  /** Table columns to show first (the command's `columns`). */
  preferred?: string[];
  /** Colour and terminal niceties. */
  tty: boolean;
}

export type Renderer = (records: AsyncIterable<Rec>, sink: Sink, opts: RenderOptions) => Promise<void>;

export async function loadRenderer(format: OutputFormat): Promise<Renderer> {
  switch (format) {
    case 'json':
      return renderJson;
    case 'ndjson':
      return renderNdjson;
    case 'csv':
      return (await import('./csv.js')).renderCsv;
    case 'yaml':
      return (await import('./yaml.js')).renderYaml;
    case 'table':
      return (await import('./table.js')).renderTable;
  }
}

/**
 * One JSON array, written element by element so memory stays flat. When the records fail midway
 * (bad input, an upstream error), the array is left open on purpose: the next command in a pipe
 * then fails too, instead of taking the records printed so far for the whole list.
 */
export const renderJson: Renderer = async (records, sink) => {
  let first = true;
  for await (const rec of records) {
    const pending = sink.write((first ? '[\n' : ',\n') + jsonOf(rec));
    if (pending) await pending;
    first = false;
    if (sink.closed) return;
  }
  await sink.write(first ? '[]\n' : '\n]\n');
};

export const renderNdjson: Renderer = async (records, sink) => {
  for await (const rec of records) {
    const pending = sink.write(jsonOf(rec) + '\n');
    if (pending) await pending;
    if (sink.closed) return;
  }
};

/** For commands that write text (completion scripts): each record's `text`, verbatim. */
export const renderText: Renderer = async (records, sink) => {
  for await (const rec of records) {
    await sink.write(String(rec.text ?? ''));
    if (sink.closed) return;
  }
};
