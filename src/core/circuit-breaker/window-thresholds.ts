import { WINDOW_BREAKER_DEFAULTS } from './defaults.js';
import { checkInteger, checkNumber, checkRate } from './validate.js';

/** Thresholds shared by the sliding-window strategies. */
export interface WindowThresholdOptions {
  /** Failure rate (0..1] at or above which the circuit opens (default 0.5). */
  failureRateThreshold?: number;
  /** No decision is taken before the window holds this many calls (default 20). */
  minimumCalls?: number;
  /** Calls at least this slow (ms) count as slow, failed or not (default Infinity: off). */
  slowCallDurationMs?: number;
  /** Slow-call rate (0..1] at or above which the circuit opens (default 1). */
  slowCallRateThreshold?: number;
}

/** Validated thresholds, frozen. */
export interface WindowThresholds {
  readonly failureRateThreshold: number;
  readonly minimumCalls: number;
  readonly slowCallDurationMs: number;
  readonly slowCallRateThreshold: number;
}

/** Validates a window strategy's thresholds (defaults: {@link WINDOW_BREAKER_DEFAULTS}); `owner` prefixes error messages. */
export function resolveThresholds(owner: string, options: WindowThresholdOptions): WindowThresholds {
  const d = WINDOW_BREAKER_DEFAULTS;
  return Object.freeze({
    failureRateThreshold: checkRate(`${owner}.failureRateThreshold`, options.failureRateThreshold ?? d.failureRateThreshold),
    minimumCalls: checkInteger(`${owner}.minimumCalls`, options.minimumCalls ?? d.minimumCalls, 1),
    slowCallDurationMs: checkNumber(`${owner}.slowCallDurationMs`, options.slowCallDurationMs ?? d.slowCallDurationMs, 0),
    slowCallRateThreshold: checkRate(`${owner}.slowCallRateThreshold`, options.slowCallRateThreshold ?? d.slowCallRateThreshold),
  });
}

/**
 * The decision both window strategies share: true when the window warrants opening (enough
 * calls, and the failure or slow-call rate at its threshold). Integers only, no allocation; the
 * reason is built separately by {@link windowTripReason}, only when it trips.
 */
export function shouldTrip(t: WindowThresholds, total: number, failures: number, slow: number): boolean {
  if (total < t.minimumCalls) return false;
  return failures >= t.failureRateThreshold * total || slow >= t.slowCallRateThreshold * total;
}

/** Why the window tripped, for the state-change event (failure rate first, then slow-call rate). */
export function windowTripReason(t: WindowThresholds, total: number, failures: number, slow: number): string {
  const pct = (n: number) => `${Math.round((n / total) * 1000) / 10}%`;
  if (failures >= t.failureRateThreshold * total) {
    return `failure rate ${pct(failures)} >= ${t.failureRateThreshold * 100}% over ${total} calls`;
  }
  return `slow-call rate ${pct(slow)} >= ${t.slowCallRateThreshold * 100}% over ${total} calls (>= ${t.slowCallDurationMs} ms)`;
}
