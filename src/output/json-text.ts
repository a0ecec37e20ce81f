// A record that already exists as JSON text: the task index stores every record as the text
// JSON.stringify gave it. The json and ndjson renderers write that text as it is, skipping a
// parse and a stringify per record; a command yields these only when the output is json or
// ndjson (see `wantsJsonText`), so every other consumer still sees plain objects.

import type { Rec } from '../cli/types.js';

export class JsonText {
  constructor(readonly text: string) {}
}

/** The record as JSON text: its own text when it has one. */
export const jsonOf = (rec: Rec | JsonText): string => (rec instanceof JsonText ? rec.text : JSON.stringify(rec));

/** Whether records may be handed over as JsonText for this output format. */
export const wantsJsonText = (output: string): boolean => output === 'json' || output === 'ndjson';
