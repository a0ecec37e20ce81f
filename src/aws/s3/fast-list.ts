// Puts list-xml.ts in front of the SDK's deserializer for ListObjectsV2, on every S3 client strata
// makes, with two middlewares around the SDK's own:
//   inner (just inside the deserializer): reads a 2xx body once, parses it with the one-pass
//     reader and, when that succeeds, keeps the page on the request's context and hands the SDK
//     an empty ListBucketResult document; otherwise hands the SDK the very bytes it read.
//   outer (just outside it): lays the kept page over the SDK's output, which still supplies
//     $metadata and the response headers.
// Errors, retries, 200-with-<Error> replies (the S3 plugin for that sees the body the SDK sees)
// and every other command take the SDK's path untouched.

import type { DeserializeMiddleware, HandlerExecutionContext, Pluggable } from '@smithy/types';
import { parseListObjectsV2, type ListPage } from './list-xml.js';

const COMMAND = 'ListObjectsV2Command';
const PAGE = Symbol('strata.listPage');
const EMPTY_RESULT = new TextEncoder().encode('<ListBucketResult></ListBucketResult>');

interface HttpResponseLike {
  statusCode: number;
  body?: unknown;
}

type Context = HandlerExecutionContext & { [PAGE]?: ListPage };

/** The body's bytes; undefined for a body that is neither bytes nor a stream (left to the SDK). */
async function bytesOf(body: unknown): Promise<Uint8Array | undefined> {
  if (body instanceof Uint8Array) return body;
  if (!body || typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') return undefined;
  const parts: Uint8Array[] = [];
  for await (const part of body as AsyncIterable<Uint8Array>) parts.push(part);
  return Buffer.concat(parts);
}

/** Inner: parse a 2xx ListObjectsV2 body; on success keep the page and give the SDK an empty result. */
const readPage: DeserializeMiddleware<object, object> = (next, context: Context) => async (args) => {
  const result = await next(args);
  if (context.commandName !== COMMAND) return result;
  const response = result.response as HttpResponseLike;
  if (response.statusCode < 200 || response.statusCode >= 300) return result;
  const body = await bytesOf(response.body);
  if (!body) return result;
  const page = parseListObjectsV2(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  if (page) context[PAGE] = page;
  response.body = page ? EMPTY_RESULT : body;
  return result;
};

/** Outer: the SDK's output (metadata, headers) with the kept page laid over it. */
const mergePage: DeserializeMiddleware<object, object> = (next, context: Context) => async (args) => {
  delete context[PAGE];
  const result = await next(args);
  const page = context[PAGE];
  if (!page) return result;
  delete context[PAGE];
  return { ...result, output: { ...result.output, ...page } };
};

// The S3 client's stack is typed by the union of every command's input and output.
export const fastListObjectsPlugin: Pluggable<any, any> = {
  applyToStack(stack) {
    stack.addRelativeTo(readPage, { name: 'strataListPageReader', relation: 'after', toMiddleware: 'deserializerMiddleware', override: true });
    stack.addRelativeTo(mergePage, { name: 'strataListPageMerge', relation: 'before', toMiddleware: 'deserializerMiddleware', override: true });
  },
};
