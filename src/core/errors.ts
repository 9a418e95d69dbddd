/**
 * The error catalog. Every error Bulwark raises extends {@link BulwarkError} and has a stable
 * `code` (`BULWARK_ERR_*`, never reused once retired), a message, the HTTP status it maps to
 * when it reaches a client, and the original `cause` where there is one. `errors.test.ts` pins it.
 */

export interface BulwarkErrorOptions {
  cause?: unknown;
}

/** Base class of every Bulwark error. */
export class BulwarkError extends Error {
  /** Stable machine-readable code, e.g. `BULWARK_ERR_BROKEN_CIRCUIT`. */
  readonly code: string;
  /** HTTP status when this error reaches a client. */
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: BulwarkErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** The circuit is open (or half-open with every probe permit taken): the call was not made. */
export class BrokenCircuitError extends BulwarkError {
  /** Milliseconds until the breaker will next allow a probe, when known. */
  readonly retryAfterMs: number | undefined;
  constructor(message = 'Circuit is open; the call was not attempted', retryAfterMs?: number, options?: BulwarkErrorOptions) {
    super('BULWARK_ERR_BROKEN_CIRCUIT', 503, message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The circuit was isolated (forced open) by an operator. */
export class IsolatedCircuitError extends BulwarkError {
  constructor(message = 'Circuit is isolated by an operator; the call was not attempted') {
    super('BULWARK_ERR_ISOLATED_CIRCUIT', 503, message);
  }
}

/** The bulkhead's slots and queue are full (or the queue wait timed out). */
export class BulkheadRejectedError extends BulwarkError {
  constructor(readonly executionSlots: number, readonly queueSlots: number, message?: string) {
    super('BULWARK_ERR_BULKHEAD_REJECTED', 503, message ?? `Bulkhead full (${executionSlots} running, ${queueSlots} queued)`);
  }
}

/** An attempt or an overall operation ran past its timeout. */
export class TimeoutError extends BulwarkError {
  constructor(readonly timeoutMs: number, message?: string, options?: BulwarkErrorOptions) {
    super('BULWARK_ERR_TIMEOUT', 504, message ?? `Operation timed out after ${timeoutMs} ms`, options);
  }
}

/** A rate limiter had no token for this call. */
export class RateLimitedError extends BulwarkError {
  constructor(readonly retryAfterMs: number, message?: string) {
    super('BULWARK_ERR_RATE_LIMITED', 429, message ?? `Rate limit reached; retry after ${Math.ceil(retryAfterMs)} ms`);
  }
}

/**
 * The retry budget was empty, so no retry was attempted. The retry policy surfaces the
 * *original* error, tagged (see {@link tagError}); this class exists for callers that want to
 * convert such an error into a catalog error: `RetryBudgetExhaustedError.from(err)`.
 */
export class RetryBudgetExhaustedError extends BulwarkError {
  constructor(cause: unknown, message = 'Retry budget exhausted; no retry attempted') {
    super('BULWARK_ERR_RETRY_BUDGET_EXHAUSTED', 503, message, { cause });
  }
  static from(error: unknown): RetryBudgetExhaustedError {
    return new RetryBudgetExhaustedError(error);
  }
}

/** The adaptive concurrency limit was reached: the call was shed instead of queued. */
export class ConcurrencyLimitedError extends BulwarkError {
  constructor(readonly limit: number, readonly retryAfterMs = 1000, message?: string) {
    super('BULWARK_ERR_CONCURRENCY_LIMITED', 503, message ?? `Concurrency limit ${limit} reached; request shed`);
  }
}

/** The hedge policy's attempts all failed (the cause is the last failure). */
export class HedgeFailedError extends BulwarkError {
  constructor(readonly attempts: number, options?: BulwarkErrorOptions) {
    super('BULWARK_ERR_HEDGE_FAILED', 502, `All ${attempts} hedged attempts failed`, options);
  }
}

/** The operation was cancelled by its caller (its AbortSignal fired). */
export class CancelledError extends BulwarkError {
  constructor(message = 'Operation cancelled by the caller', options?: BulwarkErrorOptions) {
    super('BULWARK_ERR_CANCELLED', 499, message, options);
  }
}

/** A policy or pipeline was built with invalid options. The message names the field and the bad value. */
export class InvalidOptionsError extends BulwarkError {
  constructor(message: string) {
    super('BULWARK_ERR_INVALID_OPTIONS', 500, message);
  }
}

/** Chaos injection (toolkit) produced this failure on purpose. */
export class InjectedFaultError extends BulwarkError {
  constructor(message = 'Fault injected by a chaos policy') {
    super('BULWARK_ERR_INJECTED_FAULT', 500, message);
  }
}

const TAGS = Symbol.for('bulwark.errorTags');

/** Attaches a tag (a catalog code) to any error object without changing its type or message. */
export function tagError<E>(error: E, tag: string): E {
  if (error !== null && typeof error === 'object') {
    const existing = (error as Record<symbol, string[] | undefined>)[TAGS];
    if (existing) {
      if (!existing.includes(tag)) existing.push(tag);
    } else {
      Object.defineProperty(error, TAGS, { value: [tag], enumerable: false, configurable: true });
    }
  }
  return error;
}

/** The tags attached by {@link tagError}, e.g. `['BULWARK_ERR_RETRY_BUDGET_EXHAUSTED']`. */
export function errorTags(error: unknown): readonly string[] {
  if (error === null || typeof error !== 'object') return [];
  return (error as Record<symbol, string[] | undefined>)[TAGS] ?? [];
}
