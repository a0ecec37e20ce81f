// Which failures are worth another attempt. Throttling slows the lane down (AIMD) and is retried;
// transient network faults and 5xx are retried without slowing down; anything else is final.
// AWS SDK v3 errors carry the service code in `name` (or `Code`/`code`) and the HTTP status in
// `$metadata.httpStatusCode`; Node socket errors carry `code`. Causes are followed a few levels,
// because wrappers (ours, lib-storage) keep the original there.

const THROTTLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
]);

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout']);

/** How deep to follow `cause` before giving up (wrappers seldom nest more). */
const MAX_CAUSE_DEPTH = 4;

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  statusCode?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { statusCode?: unknown };
  cause?: unknown;
}

function codesOf(e: ErrorShape): unknown[] {
  return [e.name, e.code, e.Code];
}

function statusOf(e: ErrorShape): number | undefined {
  const s = e.$metadata?.httpStatusCode ?? e.$response?.statusCode ?? e.statusCode;
  return typeof s === 'number' ? s : undefined;
}

function someInChain(err: unknown, test: (e: ErrorShape) => boolean): boolean {
  let cur: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && cur !== null && typeof cur === 'object'; depth++) {
    if (test(cur as ErrorShape)) return true;
    cur = (cur as ErrorShape).cause;
  }
  return false;
}

/** The service asked us to slow down: a throttling code, 429 or 503. */
export function isThrottle(err: unknown): boolean {
  return someInChain(err, (e) => {
    if (codesOf(e).some((c) => typeof c === 'string' && THROTTLE_CODES.has(c))) return true;
    const status = statusOf(e);
    return status === 429 || status === 503;
  });
}

/** A fault that another attempt may not meet: a reset or timed-out socket, or a 5xx other than 503. */
export function isTransient(err: unknown): boolean {
  return someInChain(err, (e) => {
    if (codesOf(e).some((c) => typeof c === 'string' && TRANSIENT_CODES.has(c))) return true;
    if (typeof e.message === 'string' && e.message.includes('socket hang up')) return true;
    const status = statusOf(e);
    return status !== undefined && status >= 500 && status <= 599 && status !== 503;
  });
}
