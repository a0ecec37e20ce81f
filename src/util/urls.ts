// The two kinds of URL strata is given: an AWS-compatible endpoint (http/https with a host) and a
// Redis server (redis/rediss). Checked where they enter (flag, environment, config file), so a
// typo is a usage error naming its source, not a failed request later.

/** What an endpoint URL must look like, for messages. */
export const ENDPOINT_URL_FORM = 'an http:// or https:// URL with a host, e.g. http://localhost:4566';
export const REDIS_URL_FORM = 'a redis:// or rediss:// URL, e.g. redis://localhost:6379';

function hostUrl(text: string, protocols: string[]): boolean {
  try {
    const url = new URL(text);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

export function isEndpointUrl(text: string): boolean {
  return hostUrl(text, ['http:', 'https:']);
}

/**
 * `text` with a URL's user and password masked, even in a malformed URL: everything from after
 * `://` (or, with none, after the first `:`) up to the last `@`. The one masker for messages and
 * logs; it errs towards masking (an `@` in a path masks the path before it too).
 */
export function maskCredentials(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const scheme = text.indexOf('://');
  const from = scheme >= 0 && scheme < at ? scheme + 3 : text.indexOf(':') + 1;
  return from > 0 && from <= at ? `${text.slice(0, from)}***${text.slice(at)}` : text;
}

export function isRedisUrl(text: string): boolean {
  return hostUrl(text, ['redis:', 'rediss:']);
}
