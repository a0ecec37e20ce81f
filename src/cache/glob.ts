// Globs on cache keys: validated where they enter (a usage error names the accepted forms),
// compiled once to a RegExp. Keys hold no '/', so `*` spans any run of characters, separators
// included: `aws:*` is every AWS entry, `aws:prod:*:ec2:*` every EC2 entry of prod.
// A small compiler rather than picomatch: this is on the path of every cached hit and every
// completion, and picomatch (59 KB) was most of the engine's start-up cost; path semantics
// (globstar, dotfiles, slashes) do not apply to keys.

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

const escape = (ch: string) => ch.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** The RegExp source of a validated glob: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, `{a,b}` (nestable). */
function globSource(glob: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      let set = glob.slice(i + 1, end);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      out += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (ch === '{') {
      depth++;
      out += '(?:';
    } else if (ch === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (ch === ',' && depth > 0) out += '|';
    else out += escape(ch);
  }
  return out;
}

export function compileGlob(glob: string): KeyMatcher {
  validateGlob(glob);
  let re: RegExp;
  try {
    re = new RegExp(`^${globSource(glob)}$`);
  } catch (err) {
    throw usageError('BAD_GLOB', `The cache key pattern '${glob}' cannot be read: ${(err as Error).message}.`, `Give ${GLOB_FORMS}.`);
  }
  return (key: string) => re.test(key);
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
