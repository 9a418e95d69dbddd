import { BulkheadRejectedError, BulwarkError, ConcurrencyLimitedError, RateLimitedError } from '../core/errors.js';
import type { RejectionReason, RequestEvent } from '../llm/router-events.js';
import { BodyTooLargeError } from './errors.js';
import type { IncomingMessage } from 'node:http';
import { readBody } from './http/read-body.js';
import type { RequestContext } from './http/request-context.js';

/**
 * Why the gateway itself refused a request, from the error it answered with (undefined for any
 * other error: those are counted where they happen, by the router). A tenant's quota is named by
 * whoever refuses (`context.refusal = 'tenant_quota'`) before the answer is sent.
 */
export function refusalReasonOf(error: unknown): RejectionReason | undefined {
  if (!(error instanceof BulwarkError)) return undefined;
  if (error instanceof ConcurrencyLimitedError) return 'shed';
  if (error instanceof RateLimitedError) return 'rate_limited';
  if (error instanceof BulkheadRejectedError) return 'bulkhead_full';
  if (error instanceof BodyTooLargeError) return 'body_too_large';
  if (error.code.includes('UNSUPPORTED')) return 'unsupported';
  return undefined;
}

/**
 * The request event of a request the gateway refused before the router saw it (load shedding,
 * a key's RPM, a tenant's quota, a body too large, an unsupported request), so it is counted in
 * `bulwark_requests_total`, `bulwark_rejections_total`, the SLA windows and the alerts like any
 * other. Built only on the refusal path (one object per refused request).
 */
export function refusalEvent(context: RequestContext, reason: RejectionReason, now: number): RequestEvent {
  return {
    route: context.route ?? '', tenant: context.tenant, servedBy: 'none', fallbackDepth: 0, attempts: 0, degraded: false, ok: false,
    errorKind: reason === 'shed' || reason === 'bulkhead_full' ? 'shed' : reason === 'rate_limited' || reason === 'tenant_quota' ? 'rate_limited' : 'bad_request',
    rejection: reason, stream: context.stream, durationMs: now - context.startedAt, inputTokens: 0, outputTokens: 0, cacheHit: false, at: now,
  };
}

/** Reads a refused request's body (bounded) for the route and stream flag it asked for, so its refusal counts against that route. */
export async function noteAskedRoute(context: RequestContext, req: IncomingMessage, bodyLimitBytes: number): Promise<void> {
  try {
    const parsed: unknown = JSON.parse((await readBody(req, bodyLimitBytes)).toString('utf8'));
    if (parsed !== null && typeof parsed === 'object') {
      const { model, stream } = parsed as { model?: unknown; stream?: unknown };
      if (typeof model === 'string') context.route = model;
      context.stream = stream === true;
    }
  } catch {
    // Unreadable or not JSON: the refusal is counted under `other`.
  }
}
