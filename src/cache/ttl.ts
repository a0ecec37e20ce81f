// TTL policy: rules `{match, ttl}` from config, compiled once. The most specific matching rule
// wins: most literal characters in its glob, then the longer glob, then the earlier rule. No
// match → config.cache.defaultTtl. Freshness is decided at read time (now - createdAt < ttl), so
// a changed rule or `--ttl` applies to entries already cached.

import type { TtlRule } from '../config/schema.js';
import { compileGlob, specificity, type KeyMatcher } from './glob.js';

export interface TtlPolicy {
  ttlFor(key: string): number;
}

export function compileTtlRules(rules: readonly TtlRule[], defaultTtl: number): TtlPolicy {
  const compiled: { test: KeyMatcher; ttl: number }[] = rules
    .map((r, index) => ({ r, index, rank: specificity(r.match) }))
    .sort((a, b) => b.rank - a.rank || b.r.match.length - a.r.match.length || a.index - b.index)
    .map(({ r }) => ({ test: compileGlob(r.match), ttl: r.ttl }));
  return {
    ttlFor: (key: string): number => compiled.find((c) => c.test(key))?.ttl ?? defaultTtl,
  };
}
