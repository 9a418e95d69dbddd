import { ERROR_MEANINGS, LLM_ERROR_KINDS } from '../llm/errors.js';
import type { AttemptEvent, RequestEvent } from '../llm/router-events.js';

/** How a request or attempt counts: `client_error`s are the caller's doing and burn no error budget. */
export type OutcomeStatus = 'ok' | 'error' | 'client_error';

/** The kinds that are the client's own doing, read from the one table of error meanings. */
const CLIENT_KINDS: ReadonlySet<string> = new Set(LLM_ERROR_KINDS.filter((kind) => ERROR_MEANINGS[kind].clientError));

/**
 * Classifies a request: ok; `client_error` for the caller's own faults (bad request, context too
 * long, content filtered, cancelled, or its tenant's rate limit — a `rate_limited` with no upstream
 * attempt); `error` for everything else (including load shedding: the service refused work).
 */
export function requestStatus(e: RequestEvent): OutcomeStatus {
  if (e.ok) return 'ok';
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

/** True for a request the gateway itself refused before any upstream attempt (rate limit or shed). */
export function rejectionReason(e: RequestEvent): 'rate_limited' | 'shed' | undefined {
  if (e.ok || e.attempts !== 0) return undefined;
  return e.errorKind === 'rate_limited' || e.errorKind === 'shed' ? e.errorKind : undefined;
}
