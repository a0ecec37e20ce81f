// Field meaning: which front matter keys are dates, numbers, lists or enums, how a date string
// becomes epoch ms, and how a `key=value` typed by a user becomes a validated front matter value.

import { usageError } from '../errors.js';

export const DATE_FIELDS = new Set(['created_at', 'updated_at', 'due_date']);
export const NUMBER_FIELDS = new Set(['estimated_hours', 'actual_hours']);
export const LIST_FIELDS = new Set(['tags', 'dependencies']);
export const STRING_FIELDS = new Set(['title', 'description', 'agent', 'assignee', 'notes']);

/** The key order `tasks add` writes, the seed's order. */
export const FIELD_ORDER = [
  'id', 'title', 'description', 'agent', 'status', 'priority', 'created_at', 'updated_at', 'due_date',
  'dependencies', 'tags', 'notes', 'estimated_hours', 'actual_hours', 'assignee',
];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const DAY_MS = 86_400_000;

export interface ParsedDate {
  ms: number;
  /** Whether only a day was given (no time of day). */
  dateOnly: boolean;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Strict ISO 8601 (date, or date and time; no zone means UTC); undefined when not a real date. */
export function parseDate(text: string): ParsedDate | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = +y;
  const month = +mo;
  const dd = +d;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || dd < 1 || dd > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) return undefined;
  const day = Date.UTC(year, month - 1, dd);
  if (h === undefined) return { ms: day, dateOnly: true };
  if (+h > 23 || +mi > 59 || (s !== undefined && +s > 59)) return undefined;
  let ms = day + ((+h * 60 + +mi) * 60 + +(s ?? 0)) * 1000 + Math.floor(Number(frac ?? 0) * 1000);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (+digits.slice(0, 2) * 60 + +(digits.slice(2) || 0)) * 60_000;
  }
  return { ms, dateOnly: false };
}

/** A due date as a moment: a day without a time is due at the end of that day (UTC). */
export function dueMoment(value: unknown): number | null {
  const p = typeof value === 'string' ? parseDate(value) : undefined;
  if (!p) return null;
  return p.dateOnly ? p.ms + DAY_MS - 1 : p.ms;
}

export function dateMoment(value: unknown): number | null {
  return typeof value === 'string' ? parseDate(value)?.ms ?? null : null;
}

/** `--due-before X`: strictly before the start of X. `--due-after X`: strictly after the end of a day X. */
export function parseDateBound(flag: string, text: string, end: boolean): number {
  const p = parseDate(text);
  if (!p) throw usageError('TASK_BAD_DATE', `--${flag} '${text}' is not a date`, 'Give an ISO date such as 2025-08-01 or 2025-08-01T12:00Z.');
  return end && p.dateOnly ? p.ms + DAY_MS - 1 : p.ms;
}

export function asNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** A number of hours: a number ≥ 0 (or its text), else null. */
export function asHours(value: unknown): number | null {
  const n = asNumber(value);
  return n !== null && n >= 0 ? n : null;
}

export function asString(value: unknown): string | null {
  if (value === null || value === undefined || typeof value === 'object') return null;
  return String(value);
}

export function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && typeof v !== 'object').map(String);
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

export interface FieldRules {
  statuses: string[];
  priorities: string[];
}

/**
 * Dates and numbers of a task's front matter that are there but do not read as one (`due_date:
 * soon`, `estimated_hours: lots`): the task is still listed and its record keeps the value as
 * written, but the typed columns hold null (date filters, sorting and stats see no value); reported.
 */
export function typeWarnings(data: Record<string, unknown>, read: (key: string) => unknown = readTyped(data)): { key: string; reason: string }[] {
  const out: { key: string; reason: string }[] = [];
  for (const key of [...DATE_FIELDS, ...NUMBER_FIELDS]) {
    const v = data[key];
    if (v === undefined || v === null || v === '' || read(key) !== null) continue;
    out.push({ key, reason: `${key} ${JSON.stringify(v)} is not ${DATE_FIELDS.has(key) ? 'a date (e.g. 2025-08-01)' : 'a number of hours'}` });
  }
  return out;
}

/** A typed key's value as the task table reads it (null when it does not read). */
const readTyped = (data: Record<string, unknown>) => (key: string) => (DATE_FIELDS.has(key) ? dateMoment(data[key]) : asHours(data[key]));

/** File names are at most 255 bytes: room for `.md`, a clash's `-2`… and the writer's `.<id>.md.<pid>.<random>.tmp`. */
const MAX_ID_BYTES = 200;

/**
 * An id names the file `<id>.md` in the folder: no path separators, no leading dot (a hidden
 * file, never listed), no control characters.
 */
function taskId(text: string): string {
  if (/[/\\]/.test(text) || text.startsWith('.') || /[\u0000-\u001f\u007f]/.test(text) || Buffer.byteLength(text) > MAX_ID_BYTES) {
    throw usageError('TASK_BAD_ID', `id '${text}' cannot name a task file`, `An id may not contain / or \\, start with a dot, hold control characters or pass ${MAX_ID_BYTES} bytes; e.g. --id fix-login.`);
  }
  return text;
}

/**
 * Turns a user's `key=value` text (or a flag value) into the front matter value to write,
 * refusing what would make the task invalid. Lists split on commas; `null` or an empty value
 * clears a scalar.
 */
export function coerceField(key: string, raw: unknown, rules: FieldRules): unknown {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) {
    throw usageError('TASK_BAD_KEY', `'${key}' is not a front matter key`, 'Keys are words of letters, digits, _ and -, e.g. status=done.');
  }
  if (key === 'path') throw usageError('TASK_BAD_KEY', "'path' is derived from the file name and cannot be set", 'Move the file to change its path.');
  const text = Array.isArray(raw) ? raw.join(',') : raw === null || raw === undefined ? '' : String(raw);
  const isNull = text === '' || text === 'null';
  if (key === 'status' || key === 'priority') {
    const allowed = key === 'status' ? rules.statuses : rules.priorities;
    if (!allowed.includes(text)) {
      throw usageError(`TASK_BAD_${key.toUpperCase()}`, `${key} '${text}' is not one of ${allowed.join(', ')}`, `Use one of: ${allowed.join(', ')} (set tasks.${key === 'status' ? 'statuses' : 'priorities'} in the config to change the list).`);
    }
    return text;
  }
  if (DATE_FIELDS.has(key)) {
    if (isNull) {
      if (key !== 'due_date') throw usageError('TASK_BAD_DATE', `${key} cannot be empty`, `Give an ISO date such as 2025-08-01.`);
      return null;
    }
    if (!parseDate(text)) throw usageError('TASK_BAD_DATE', `${key} '${text}' is not a date`, 'Give an ISO date such as 2025-08-01 or 2025-08-01T12:00:00Z.');
    return text.trim();
  }
  if (NUMBER_FIELDS.has(key)) {
    if (isNull) return null;
    const n = asHours(text);
    if (n === null) throw usageError('TASK_BAD_NUMBER', `${key} '${text}' is not a number of hours`, `Give a number such as ${key}=2.5, or ${key}=null.`);
    return n;
  }
  if (LIST_FIELDS.has(key)) return asList(text);
  if (key === 'id') return isNull ? null : taskId(text);
  if (STRING_FIELDS.has(key)) return isNull && key !== 'title' ? null : text;
  if (text === 'null') return null;
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}
