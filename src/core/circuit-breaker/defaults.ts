/**
 * Defaults of the circuit breaker, in one place (pinned by `defaults.test.ts`).
 * The trip defaults come from the course material this product grew from: open after
 * 5 consecutive failures, stay open 60 s.
 */
export const BREAKER_DEFAULTS = Object.freeze({
  /** Breaker name: the key in the state store and the label in events. */
  name: 'circuit-breaker',
  /** {@link ConsecutiveBreaker} threshold used when no strategy is given. */
  consecutiveFailures: 5,
  /** How long the circuit stays open after the first trip. */
  openMs: 60_000,
  /** Growth of the open period on each further trip without a close in between (1 = constant). */
  openBackoffMultiplier: 1,
  /** Cap of the grown open period. */
  maxOpenMs: 600_000,
  /** Open period is multiplied by a random factor in [1 - ratio, 1 + ratio] (0 = exact). */
  openJitterRatio: 0,
  /** Probe calls allowed in flight at once while half-open; further calls fail fast. */
  halfOpenMaxCalls: 1,
  /** Probe successes needed to close from half-open. */
  halfOpenSuccessThreshold: 1,
  /** When true the breaker records and emits but never rejects a call by itself. */
  metricsOnly: false,
});

/** Defaults of the sliding-window strategies ({@link CountWindowBreaker}, {@link TimeWindowBreaker}). */
export const WINDOW_BREAKER_DEFAULTS = Object.freeze({
  /** Failure rate (0..1] at or above which the breaker trips. */
  failureRateThreshold: 0.5,
  /** No decision before this many calls are in the window. */
  minimumCalls: 20,
  /** Count-based window: the last N calls. */
  windowSize: 100,
  /** Time-based window length. */
  windowMs: 60_000,
  /** Buckets the time window is split into (its resolution is windowMs / buckets). */
  buckets: 10,
  /** Calls at least this slow count as slow (Infinity = slow-call tracking off). */
  slowCallDurationMs: Number.POSITIVE_INFINITY,
  /** Slow-call rate (0..1] at or above which the breaker trips. */
  slowCallRateThreshold: 1,
});
