import { BulwarkError, type BulwarkErrorOptions } from '../core/errors.js';
import type { ApiFamily, HeaderMap } from './exchange.js';

/**
 * The one closed set of failure kinds of an LLM call. Every policy decision (retry, breaker,
 * fallback) and every metric label uses it; what each kind *means* is {@link ERROR_MEANINGS}.
 */
export const LLM_ERROR_KINDS = [
  'rate_limited', // 429; carries retryAfterMs from Retry-After / retry-after-ms / x-ratelimit-reset-*
  'overloaded', // 529, 503
  'server_error', // other 5xx, or an answer the upstream garbled
  'timeout', // attempt timeout, time-to-first-token or idle timeout
  'connection', // refused, reset, DNS, TLS
  'context_length_exceeded', // prompt too large for this model
  'content_filtered', // refused by the provider's content policy
  'auth', // 401/403: not retried; the deployment is marked unhealthy
  'bad_request', // the upstream answered 400 or another 4xx: not retried
  'cancelled', // the caller went away
  'invalid_request', // Bulwark refused the request before sending it (it cannot be sent as it is)
  'internal', // Bulwark's own code failed (a bug): never the deployment's fault
  'gateway_overloaded', // one of Bulwark's own process-wide limits refused the call (the answer budget): tried again/elsewhere, never the deployment's fault
] as const;

export type LlmErrorKind = (typeof LLM_ERROR_KINDS)[number];

/** Who caused a failure. Only `upstream` failures may count against a deployment. */
export type ErrorBlame = 'upstream' | 'request' | 'caller' | 'gateway';

/** What a chain step does after a deployment failed with this kind. */
export type ChainAction =
  | 'next' // fail over: another deployment of the group, then the next step
  | 'unhealthy' // like `next`, and open the deployment's breaker now (its credentials were refused)
  | 'context' // the route's context-window fallbacks
  | 'content' // the route's content-policy fallbacks
  | 'answer'; // stop: this error is the answer to the request

/** What one kind of failure means: the one table every decision reads (STYLE.md "one table"). */
export interface ErrorMeaning {
  /** Who caused it. */
  readonly blame: ErrorBlame;
  /** HTTP status when it reaches a client. */
  readonly status: number;
  /** Worth another attempt on the same deployment. */
  readonly retryable: boolean;
  /**
   * How the deployment's breaker counts it: `failure`; `success` (the upstream answered, correctly
   * refusing a bad request); `ignore` (says nothing about the upstream: no call was made, or the
   * caller left). The outlier detector and health state count a failure exactly when the breaker does.
   */
  readonly breaker: 'failure' | 'success' | 'ignore';
  /** What the fallback chain does next. */
  readonly chain: ChainAction;
  /** The client's own doing: burns no error budget (SLA, SLO). */
  readonly clientError: boolean;
}

const upstreamFailure = (status: number, retryable: boolean, chain: ChainAction = 'next'): ErrorMeaning =>
  Object.freeze({ blame: 'upstream', status, retryable, breaker: 'failure', chain, clientError: false });
const refusedByUpstream = (chain: ChainAction): ErrorMeaning =>
  Object.freeze({ blame: 'request', status: 400, retryable: false, breaker: 'success', chain, clientError: true });

/** What each {@link LlmErrorKind} means. Pinned by `errors.test.ts`. */
export const ERROR_MEANINGS: Readonly<Record<LlmErrorKind, ErrorMeaning>> = Object.freeze({
  rate_limited: upstreamFailure(429, true),
  overloaded: upstreamFailure(503, true),
  server_error: upstreamFailure(502, true),
  timeout: upstreamFailure(504, true),
  connection: upstreamFailure(502, true),
  auth: upstreamFailure(502, false, 'unhealthy'), // the *gateway's* upstream credentials failed: not the client's fault
  context_length_exceeded: refusedByUpstream('context'),
  content_filtered: refusedByUpstream('content'),
  bad_request: refusedByUpstream('answer'),
  cancelled: Object.freeze({ blame: 'caller', status: 499, retryable: false, breaker: 'ignore', chain: 'answer', clientError: true }),
  invalid_request: Object.freeze({ blame: 'request', status: 400, retryable: false, breaker: 'ignore', chain: 'answer', clientError: true }),
  internal: Object.freeze({ blame: 'gateway', status: 500, retryable: false, breaker: 'ignore', chain: 'answer', clientError: false }),
  gateway_overloaded: Object.freeze({ blame: 'gateway', status: 503, retryable: true, breaker: 'ignore', chain: 'next', clientError: false }),
});

/**
 * An upstream's own error answer (status, headers, body with the provider's secrets blanked), kept
 * on the `LlmError` so that a client speaking the same API can be given it as the provider sent
 * it (pass-through first), and a client of another API a translation keeping its type and code.
 */
export interface UpstreamErrorAnswer {
  /** The API the upstream speaks. */
  readonly family: ApiFamily;
  readonly status: number;
  readonly headers: HeaderMap;
  /** The body as read (at most `MAX_ERROR_BODY_BYTES`), the provider's secrets blanked. */
  readonly body: string;
}

export interface LlmErrorDetails extends BulwarkErrorOptions {
  /** Status the upstream answered with, when it answered. */
  upstreamStatus?: number;
  /** Server hint: wait at least this long before trying this deployment again. */
  retryAfterMs?: number;
  /** Deployment id that failed. */
  deployment?: string;
  /** The request field at fault (`messages[1].content`), in the client's API, when known. */
  param?: string;
  /** Overrides the kind's `retryable` (a hedge loser's timeout: the race is over, nothing to retry). */
  retryable?: boolean;
  /** The upstream's own error answer, when it answered one. */
  upstreamAnswer?: UpstreamErrorAnswer;
}

/**
 * The status a client sees: the kind's ({@link ERROR_MEANINGS}), except for the upstream's verdict
 * on the request (a 4xx refusal), which keeps the upstream's own 4xx (a 404 or 422 stays one).
 */
function clientStatus(kind: LlmErrorKind, details: LlmErrorDetails): number {
  const meaning = ERROR_MEANINGS[kind];
  const upstream = details.upstreamAnswer?.status;
  return meaning.blame === 'request' && upstream !== undefined && upstream >= 400 && upstream < 500 ? upstream : meaning.status;
}

/** An LLM call failed. `kind` is one of {@link LLM_ERROR_KINDS}; its meaning is {@link ERROR_MEANINGS}. Messages never contain secrets. */
export class LlmError extends BulwarkError {
  readonly kind: LlmErrorKind;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly param: string | undefined;
  /** The upstream's own error answer (see {@link UpstreamErrorAnswer}), when it answered one. */
  readonly upstreamAnswer: UpstreamErrorAnswer | undefined;
  deployment: string | undefined;
  private readonly retryOverride: boolean | undefined;

  constructor(kind: LlmErrorKind, message: string, details: LlmErrorDetails = {}) {
    super(`BULWARK_ERR_LLM_${kind.toUpperCase()}`, clientStatus(kind, details), message, details);
    this.kind = kind;
    this.upstreamStatus = details.upstreamStatus;
    this.retryAfterMs = details.retryAfterMs;
    this.deployment = details.deployment;
    this.param = details.param;
    this.upstreamAnswer = details.upstreamAnswer;
    this.retryOverride = details.retryable;
  }

  /** What this error means ({@link ERROR_MEANINGS}). */
  get meaning(): ErrorMeaning {
    return ERROR_MEANINGS[this.kind];
  }

  /** True for kinds worth retrying on the same deployment. */
  get retryable(): boolean {
    return this.retryOverride ?? ERROR_MEANINGS[this.kind].retryable;
  }

  /** True for kinds that count against a deployment (breaker, outlier detector, health): only what the upstream did. */
  get countsAsFailure(): boolean {
    return ERROR_MEANINGS[this.kind].breaker === 'failure';
  }
}

/** The router answered nothing: every step of the chain failed and there was no cache entry or default answer. */
export class AllFallbacksFailedError extends BulwarkError {
  /**
   * @param retryAfterMs when trying again may help: the soonest a breaker of the route lets a
   *   probe through, else the last upstream's own hint; undefined when nothing says.
   */
  constructor(readonly attempts: number, readonly lastError: unknown, readonly retryAfterMs?: number) {
    super('BULWARK_ERR_ALL_FALLBACKS_FAILED', lastError instanceof BulwarkError ? lastError.status : 502,
      `Every step of the fallback chain failed after ${attempts} attempts${lastError instanceof BulwarkError ? ` (last: ${lastError.message})` : ''}`, { cause: lastError });
  }
}

/** The requested model or route is not configured. */
export class UnknownModelError extends BulwarkError {
  constructor(readonly model: string) {
    super('BULWARK_ERR_UNKNOWN_MODEL', 404, `The model '${model}' does not exist or you do not have access to it`);
  }
}

/** A stream broke after chunks had reached the caller and could not be continued. */
export class StreamInterruptedError extends BulwarkError {
  constructor(message: string, options?: BulwarkErrorOptions) {
    super('BULWARK_ERR_STREAM_INTERRUPTED', 502, message, options);
  }
}
