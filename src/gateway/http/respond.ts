import type { ServerResponse } from 'node:http';
import type { RequestContext } from './request-context.js';
import { retryAfterSeconds, statusOf } from '../dialect.js';
import { refusalReasonOf } from '../refusals.js';

/** Headers every answer carries: the request id and how the answer was served. */
export function bulwarkHeaders(context: RequestContext): Record<string, string> {
  const served = context.served;
  return {
    'x-request-id': context.requestId,
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
 * when the error says how long to wait). Never throws; does nothing if headers are already out.
 */
export function sendError(res: ServerResponse, context: RequestContext, error: unknown, extra?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  context.refusal ??= refusalReasonOf(error);
  const status = statusOf(error);
  const retryAfter = retryAfterSeconds(error);
  const headers: Record<string, string> = extra ? { ...extra } : {};
  if (retryAfter !== undefined && (status === 429 || status === 503)) headers['retry-after'] = String(retryAfter);
  sendJson(res, context, status, context.dialect.errorJson(error), headers);
}
