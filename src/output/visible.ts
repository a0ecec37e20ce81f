// Text bound for a terminal, made harmless: C0 controls, DEL and C1 controls become visible
// escapes (`\n`, `\t`, `\r`, else `\x1b` style), so data cannot move the cursor, retitle the
// window or ring the bell, and each character left takes one column. So do the invisible
// characters that would reorder or hide text: bidi overrides and isolates, the zero-width
// space and the byte order mark (`\u202e`, `\ufeff`).

/** DEL, the C1 controls and the invisible reorderers: what JSON.stringify leaves as it is. */
const BEYOND_C0 = '\\x7f-\\x9f\\u200b\\u202a-\\u202e\\u2066-\\u2069\\ufeff';
const CONTROLS = new RegExp(`[\\x00-\\x1f${BEYOND_C0}]`, 'g');
const CONTROLS_BUT_NEWLINE = new RegExp(`[\\x00-\\x09\\x0b-\\x1f${BEYOND_C0}]`, 'g');
const JSON_RAW = new RegExp(`[${BEYOND_C0}]`, 'g');
const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
}

/** `text` with every control character escaped. */
export const visible = (text: string): string => text.replace(CONTROLS, escape);

/** `text` with every control character but the newline escaped: for messages of several lines. */
export const visibleLines = (text: string): string => text.replace(CONTROLS_BUT_NEWLINE, escape);

/**
 * JSON text for a terminal: the characters JSON.stringify leaves raw (DEL, C1 controls, bidi
 * overrides, zero-width space, BOM) as `\u` escapes. Still valid JSON, read back as the same value.
 */
export const visibleJson = (json: string): string => json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
