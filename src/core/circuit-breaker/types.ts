import type { Clock } from '../clock.js';
import type { RandomSource } from '../random.js';
import type { BreakerSnapshot } from './snapshot.js';
import type { BreakerStateStore } from './store.js';
import type { ProbeGate } from './probe-gate.js';
import type { TripStrategy } from './trip-strategy.js';

/**
 * A breaker's state. Same names as `BreakerStateName` in `src/llm/router-events.ts` (the core
 * cannot import from the llm layer, so the union is restated here; the two must stay equal).
 * - `closed`: calls run and outcomes are recorded by the trip strategy;
 * - `open`: calls fail fast with BrokenCircuitError until the open period ends;
 * - `half-open`: up to `halfOpenMaxCalls` probes run at once, the rest fail fast;
 * - `isolated`: forced open by an operator (IsolatedCircuitError);
 * - `forced-closed`: calls always run; outcomes are emitted but never trip the breaker;
 * - `disabled`: pure pass-through, nothing recorded or emitted.
 */
export type BreakerStateName = 'closed' | 'open' | 'half-open' | 'isolated' | 'forced-closed' | 'disabled';

/**
 * How an error thrown by the operation counts:
 * - `failure`: recorded as a failure (may trip; reopens from half-open);
 * - `success`: the dependency answered correctly even though the caller got an error (e.g. a
 *   400 for a bad request) — recorded as a success;
 * - `ignore`: not recorded at all; the state never changes because of it.
 * In every case the error itself is rethrown untouched.
 */
export type ErrorClassification = 'failure' | 'success' | 'ignore';

/** Options of {@link CircuitBreaker}; every field is optional (defaults in `BREAKER_DEFAULTS`). */
export interface CircuitBreakerOptions {
  /** Key in the state store and label in events (default `"circuit-breaker"`). */
  name?: string;
  /** When to open from closed (default `new ConsecutiveBreaker(5)`). Owned by this breaker: do not share. */
  strategy?: TripStrategy;
  /** Open period after the first trip, ms (default 60 000). */
  openMs?: number;
  /** Each further trip without a close in between multiplies the open period by this (default 1: constant). */
  openBackoffMultiplier?: number;
  /** Cap of the grown open period, ms (default 600 000; must be >= openMs). */
  maxOpenMs?: number;
  /** The open period is multiplied by a random factor in [1 - ratio, 1 + ratio], ratio in [0, 1) (default 0). */
  openJitterRatio?: number;
  /** Probe calls in flight at once while half-open; more fail fast, never queue (default 1). */
  halfOpenMaxCalls?: number;
  /** Successful probes needed to close (default 1). A failed probe reopens at once. */
  halfOpenSuccessThreshold?: number;
  /** Classifies errors thrown by the operation (default: every error is a `failure`). See {@link failOn}. */
  classifyError?: (error: unknown) => ErrorClassification;
  /** Shadow mode: transitions happen and are emitted, but the breaker never rejects a call itself (default false). Isolation still rejects. */
  metricsOnly?: boolean;
  /** Time source (default `systemClock`). */
  clock?: Clock;
  /** Random source for the open-period jitter (default `Math.random`). */
  random?: RandomSource;
  /** Where the state is kept and shared (default: a private `MemoryBreakerStateStore`). */
  store?: BreakerStateStore;
  /**
   * Cluster-wide limit on half-open probes (default none: only the local `halfOpenMaxCalls`).
   * With replicas sharing state through `store`, a gate keeps the whole cluster at
   * `halfOpenMaxCalls` probes at once. See {@link ProbeGate}.
   */
  probeGate?: ProbeGate;
  /** Start from this state (e.g. a saved `toJSON()`); takes precedence over `store.get(name)`. */
  snapshot?: BreakerSnapshot;
}

/** Emitted on every transition. */
export interface BreakerStateChangeEvent {
  readonly name: string;
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  readonly reason: string;
  /** Clock time of the transition. */
  readonly at: number;
  /** Time spent in `from`, ms. */
  readonly durationMs: number;
  /** While `to` is `open`: when a probe will be allowed. */
  readonly openUntil: number | null;
  /** True when the change came from another breaker/process through the store. */
  readonly remote: boolean;
}

/** A call that ran and counted as a success (or an error classified `success`). */
export interface BreakerCallEvent {
  readonly name: string;
  /** State when the call ended. */
  readonly state: BreakerStateName;
  readonly durationMs: number;
}

/** A call that ran and failed (classified `failure` or `ignore`). */
export interface BreakerFailureEvent extends BreakerCallEvent {
  readonly error: unknown;
}

/** A call that was not run (or, in metrics-only mode, would not have been). */
export interface BreakerRejectedEvent {
  readonly name: string;
  readonly state: BreakerStateName;
  /** Time until a probe will be allowed, when known. */
  readonly retryAfterMs: number | undefined;
  /** False in metrics-only mode: the call ran anyway. */
  readonly enforced: boolean;
}
