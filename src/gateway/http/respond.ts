import type { ServerResponse } from 'node:http';
import type { RequestContext } from './request-context.js';
import { AllFallbacksFailedError } from '../../llm/errors.js';
import { retryAfterSeconds, statusOf } from '../dialect.js';
import { BodyTooLargeError } from '../errors.js';
import { refusalReasonOf } from '../refusals.js';

/** Headers every answer carries: the request id (as OpenAI's and Anthropic's SDKs read it) and how the answer was served. */
export function bulwarkHeaders(context: RequestContext): Record<string, string> {
  const served = context.served;
  return {
    'x-request-id': context.requestId,
    'request-id': context.requestId,
    'x-bulwark-served-by': served.servedBy,
    'x-bulwark-attempts': String(served.attempts),
    'x-bulwark-fallback-depth': String(served.fallbackDepth),
    'x-bulwark-degraded': served.degraded ? 'true' : 'false',
  };
}

/** Sends a complete JSON answer with the x-bulwark-* headers. */
export function sendJson(res: ServerResponse, context: RequestContext, status: number, json: string, extra?: Record<string, string>): void {
  context.status = status;
  const headers = bulwarkHeaders(context);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(json));
  if (extra) Object.assign(headers, extra);
  res.writeHead(status, headers);
  res.end(json);
}

/**
 * Sends `error` in the dialect of the request, with its status (and `Retry-After` for 429/503
 * when the error says how long to wait). Once the whole fallback chain failed, the answer also
 * says `x-should-retry: false` (read by the official OpenAI and Anthropic SDKs: their automatic
 * retries would only multiply upstream load — the gateway has retried and failed over already)
 * and `Retry-After` whenever the soonest breaker half-open or an upstream hint is known. Never
 * throws; does nothing if headers are already out.
 */
export function sendError(res: ServerResponse, context: RequestContext, error: unknown, extra?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  context.refusal ??= refusalReasonOf(error);
  const status = statusOf(error);
  const retryAfter = retryAfterSeconds(error);
  // An upstream's refusal of the request keeps its allow-listed headers (rate limits, request id).
  const headers: Record<string, string> = { ...context.dialect.errorHeaders(error), ...extra };
  // The rest of an oversized body is discarded only up to a bound, then the socket is cut: a
  // pooled client must not send its next request on this connection.
  if (error instanceof BodyTooLargeError) headers.connection = 'close';
  const exhausted = error instanceof AllFallbacksFailedError;
  if (exhausted) headers['x-should-retry'] = 'false';
  if (retryAfter !== undefined && (status === 429 || status === 503 || exhausted)) headers['retry-after'] = String(retryAfter);
  sendJson(res, context, status, context.dialect.errorJson(error), headers);
}
