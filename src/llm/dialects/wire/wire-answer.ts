import { isObject } from '../check.js';

/**
 * A complete answer on the wire, as the caller receives it: a JSON body, or for a stream the
 * event-stream bytes (a cache hit or default answer replays them). `headers` are the upstream's
 * response headers that pass the dialect's allow-list.
 */
export interface WireAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The cache form of a wire answer (the body as base64: lossless for any bytes). */
interface StoredWireAnswer {
  wire: 1;
  contentType: string;
  headers: Record<string, string>;
  body: string;
}

/** A wire answer as the cache keeps it. */
export function storeWireAnswer(answer: WireAnswer): StoredWireAnswer {
  return { wire: 1, contentType: answer.contentType, headers: { ...answer.headers }, body: answer.body.toString('base64') };
}

/** A stored wire answer back, or undefined when `stored` is not one. */
export function restoreWireAnswer(stored: unknown): WireAnswer | undefined {
  if (!isObject(stored) || stored.wire !== 1 || typeof stored.body !== 'string' || typeof stored.contentType !== 'string') return undefined;
  const headers: Record<string, string> = {};
  if (isObject(stored.headers)) for (const [name, value] of Object.entries(stored.headers)) if (typeof value === 'string') headers[name] = value;
  return { status: 200, contentType: stored.contentType, headers, body: Buffer.from(stored.body, 'base64') };
}

/** The JSON media type of wire answers. */
export const JSON_CONTENT_TYPE = 'application/json';
/** The media type of streamed wire answers. */
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
