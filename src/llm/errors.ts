import { BulwarkError, type BulwarkErrorOptions } from '../core/errors.js';

/**
 * The one closed set of upstream failure kinds. Every policy decision (retry, breaker, fallback)
 * and every metric label uses it.
 */
export const LLM_ERROR_KINDS = [
  'rate_limited', // 429; carries retryAfterMs from Retry-After / retry-after-ms / x-ratelimit-reset-*
  'overloaded', // 529, 503
  'server_error', // other 5xx
  'timeout', // attempt timeout, time-to-first-token or idle timeout
  'connection', // refused, reset, DNS, TLS
  'context_length_exceeded', // prompt too large for this model
  'content_filtered', // refused by the provider's content policy
  'auth', // 401/403: not retried; the deployment is marked unhealthy
  'bad_request', // 400 and other 4xx: not retried, not counted against the breaker
  'cancelled', // the caller went away
] as const;

export type LlmErrorKind = (typeof LLM_ERROR_KINDS)[number];

const STATUS_BY_KIND: Record<LlmErrorKind, number> = {
  rate_limited: 429,
  overloaded: 503,
  server_error: 502,
  timeout: 504,
  connection: 502,
  context_length_exceeded: 400,
  content_filtered: 400,
  auth: 502, // the *gateway's* upstream credentials failed: not the client's fault
  bad_request: 400,
  cancelled: 499,
};

export interface LlmErrorDetails extends BulwarkErrorOptions {
  /** Status the upstream answered with, when it answered. */
  upstreamStatus?: number;
  /** Server hint: wait at least this long before trying this deployment again. */
  retryAfterMs?: number;
  /** Deployment id that failed. */
  deployment?: string;
}

/** An upstream LLM call failed. `kind` is one of {@link LLM_ERROR_KINDS}. Messages never contain secrets. */
export class LlmError extends BulwarkError {
  readonly kind: LlmErrorKind;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  deployment: string | undefined;

  constructor(kind: LlmErrorKind, message: string, details: LlmErrorDetails = {}) {
    super(`BULWARK_ERR_LLM_${kind.toUpperCase()}`, STATUS_BY_KIND[kind], message, details);
    this.kind = kind;
    this.upstreamStatus = details.upstreamStatus;
    this.retryAfterMs = details.retryAfterMs;
    this.deployment = details.deployment;
  }

  /** True for kinds worth retrying on the same deployment. */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'overloaded' || this.kind === 'server_error' ||
      this.kind === 'timeout' || this.kind === 'connection';
  }

  /** True for kinds that count against a deployment's breaker (bad requests and cancellations never do). */
  get countsAsFailure(): boolean {
    return this.kind !== 'bad_request' && this.kind !== 'cancelled' && this.kind !== 'context_length_exceeded' &&
      this.kind !== 'content_filtered';
  }
}

/** The router answered nothing: every step of the chain failed and there was no cache entry or default answer. */
export class AllFallbacksFailedError extends BulwarkError {
  constructor(readonly attempts: number, readonly lastError: unknown) {
    super('BULWARK_ERR_ALL_FALLBACKS_FAILED', lastError instanceof BulwarkError ? lastError.status : 502,
      `Every step of the fallback chain failed after ${attempts} attempts`, { cause: lastError });
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
