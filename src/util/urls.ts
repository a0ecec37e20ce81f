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

/** `text` with whatever sits between `:` and `@` (a URL's password, even in a malformed one) masked. */
export function withoutPassword(text: string): string {
  return text.replace(/:[^:@/]*@/, ':***@');
}

export function isRedisUrl(text: string): boolean {
  return hostUrl(text, ['redis:', 'rediss:']);
}
