// Globs on cache keys: validated where they enter (a usage error names the accepted forms),
// compiled once with picomatch. Keys hold no '/', so `*` spans any run of characters,
// separators included: `aws:*` is every AWS entry, `aws:prod:*:ec2:*` every EC2 entry of prod.

import picomatch from 'picomatch';
import { usageError } from '../errors.js';

export const GLOB_FORMS =
  "a key or a glob: '*' any run of characters, '?' one character, '[abc]' one of a set, '{a,b}' alternatives; " +
  "e.g. 'aws:*', 'aws:prod:us-east-1:ec2:*', 'aws:*:*:s3:ListObjectsV2:*', 'tasks:*'";

export type KeyMatcher = (key: string) => boolean;

function balanced(glob: string, open: string, close: string): boolean {
  let depth = 0;
  for (const ch of glob) {
    if (ch === open) depth++;
    else if (ch === close && --depth < 0) return false;
  }
  return depth === 0;
}

/** Throws a usage error for an empty glob, whitespace, a '/' or unbalanced brackets/braces. */
export function validateGlob(glob: string): void {
  const bad =
    glob.length === 0 ? 'is empty'
    : /[\s/\\]/.test(glob) ? 'contains whitespace, a slash or a backslash'
    : !balanced(glob, '[', ']') ? "has an unbalanced '['"
    : !balanced(glob, '{', '}') ? "has an unbalanced '{'"
    : undefined;
  if (bad) throw usageError('BAD_GLOB', `The cache key pattern '${glob}' ${bad}.`, `Give ${GLOB_FORMS}.`);
}

export function compileGlob(glob: string): KeyMatcher {
  validateGlob(glob);
  try {
    const isMatch = picomatch(glob, { dot: true });
    // One argument only: picomatch's second parameter returns an object (truthy) when set.
    return (key: string) => isMatch(key);
  } catch (err) {
    throw usageError('BAD_GLOB', `The cache key pattern '${glob}' cannot be read: ${(err as Error).message}.`, `Give ${GLOB_FORMS}.`);
  }
}

export interface ScopeFilter {
  profile?: string;
  region?: string;
  service?: string;
}

/** The glob behind `--profile/--region/--service`: e.g. {region:'eu-west-1'} → `aws:*:eu-west-1:*:*:*`. */
export function scopeGlob(filter: ScopeFilter): string {
  for (const [name, value] of Object.entries(filter)) {
    if (value !== undefined && !/^[A-Za-z0-9._@+=-]+$/.test(value)) {
      throw usageError('BAD_SCOPE', `--${name} '${value}' is not a plain ${name} name.`, `Give a name like 'default', 'us-east-1' or 'ec2' (no wildcards; use a glob for that).`);
    }
  }
  return `aws:${filter.profile ?? '*'}:${filter.region ?? '*'}:${filter.service ?? '*'}:*:*`;
}

/** How much of a glob is literal: the more, the more specific (used to rank TTL rules). */
export function specificity(glob: string): number {
  return glob.replace(/\*|\?|\[[^\]]*\]|\{[^}]*\}/g, '').length;
}
