import { ERROR_MEANINGS, LLM_ERROR_KINDS } from '../llm/errors.js';
import type { AttemptEvent, RejectionReason, RequestEvent } from '../llm/router-events.js';

/** How a request or attempt counts: `client_error`s are the caller's doing and burn no error budget. */
export type OutcomeStatus = 'ok' | 'error' | 'client_error';

/** The kinds that are the client's own doing, read from the one table of error meanings. */
const CLIENT_KINDS: ReadonlySet<string> = new Set(LLM_ERROR_KINDS.filter((kind) => ERROR_MEANINGS[kind].clientError));
/** Refusals that are the service's doing (it had no room): they burn error budget. The others are the caller's. */
const SERVICE_REFUSALS: ReadonlySet<RejectionReason> = new Set(['shed', 'bulkhead_full']);

/**
 * Classifies a request: ok; `client_error` for the caller's own faults (bad request, context too
 * long, content filtered, cancelled, or its tenant's rate limit — a `rate_limited` with no upstream
 * attempt); `error` for everything else (including load shedding: the service refused work).
 */
export function requestStatus(e: RequestEvent): OutcomeStatus {
  if (e.ok) return 'ok';
  if (e.rejection !== undefined) return SERVICE_REFUSALS.has(e.rejection) ? 'error' : 'client_error';
  const kind = e.errorKind;
  if (kind === undefined) return 'error';
  if (CLIENT_KINDS.has(kind)) return 'client_error';
  if (kind === 'rate_limited' && e.attempts === 0) return 'client_error';
  return 'error';
}

/** Classifies an attempt on a deployment (an upstream 429 is the deployment's error). */
export function attemptStatus(e: AttemptEvent): OutcomeStatus {
  if (e.ok) return 'ok';
  return e.errorKind !== undefined && CLIENT_KINDS.has(e.errorKind) ? 'client_error' : 'error';
}

/**
 * Why the gateway refused a request before any upstream attempt (`bulwark_rejections_total`'s
 * `reason`): what the gateway or router named, else a rate limit or shed inferred from the kind.
 */
export function rejectionReason(e: RequestEvent): RejectionReason | undefined {
  if (e.ok || e.attempts !== 0) return undefined;
  if (e.rejection !== undefined) return e.rejection;
  return e.errorKind === 'rate_limited' || e.errorKind === 'shed' ? e.errorKind : undefined;
}
