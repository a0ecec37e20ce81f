// Durations (`30s`, `5m`, `2h`, `1d`, `250ms`) and sizes (`10kb`, `5MiB`, `50MB`) as typed by users.

import { usageError } from '../errors.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/i;
/** Milliseconds per duration unit. */
export const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDurationOrNull(text: string): number | null {
  const m = DURATION.exec(text.trim());
  return m ? Math.round(Number(m[1]) * DURATION_MS[m[2].toLowerCase()]) : null;
}

export function parseDuration(text: string, what = 'duration'): number {
  const ms = parseDurationOrNull(text);
  if (ms === null) {
    throw usageError('BAD_DURATION', `invalid ${what} '${text}'`, 'use a number and a unit: 250ms, 30s, 5m, 2h, 1d, 1w');
  }
  return ms;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib|k|m|g|t)?$/i;
/** Bytes per size unit (k, m, g, t are binary, as in `--cache-size 64m`). */
export const SIZE_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

export function parseSizeOrNull(text: string): number | null {
  const m = SIZE.exec(text.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * SIZE_BYTES[(m[2] ?? 'b').toLowerCase()]);
}

export function parseSize(text: string, what = 'size'): number {
  const n = parseSizeOrNull(text);
  if (n === null) throw usageError('BAD_SIZE', `invalid ${what} '${text}'`, 'use a number and a unit: 512, 10kb, 5MiB, 2GB');
  return n;
}

/** Bytes for people: whole bytes under 1 KiB, then KiB… PiB with one decimal (none from 100 up). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) < 1024) return `${Number.isFinite(n) ? Math.round(n) : n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (Math.abs(v) >= 1024 && i < units.length - 1);
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
