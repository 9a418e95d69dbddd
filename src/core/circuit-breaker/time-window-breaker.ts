import type { TripStrategy } from './trip-strategy.js';
import { WINDOW_BREAKER_DEFAULTS } from './defaults.js';
import { InvalidOptionsError } from '../errors.js';
import { checkInteger } from './validate.js';
import { resolveThresholds, shouldTrip, windowTripReason, type WindowThresholdOptions, type WindowThresholds } from './window-thresholds.js';

/** Options of {@link TimeWindowBreaker}. */
export interface TimeWindowBreakerOptions extends WindowThresholdOptions {
  /** Length of the sliding window in ms (default 60 000). */
  windowMs?: number;
  /** Buckets the window is split into; calls leave the window one bucket at a time (default 10). */
  buckets?: number;
}

/**
 * Trips when the failure rate (or slow-call rate) over the last `windowMs` reaches its threshold,
 * once at least `minimumCalls` calls fell in the window. The window is a ring of `buckets`
 * counters (typed arrays): O(1) amortised per call, no allocation after construction.
 *
 * @example new TimeWindowBreaker({ windowMs: 30_000, buckets: 10, minimumCalls: 20, failureRateThreshold: 0.5 })
 */
export class TimeWindowBreaker implements TripStrategy {
  readonly windowMs: number;
  readonly buckets: number;
  readonly bucketMs: number;
  readonly thresholds: WindowThresholds;
  private readonly bucketTotal: Uint32Array;
  private readonly bucketFailures: Uint32Array;
  private readonly bucketSlow: Uint32Array;
  /** Bucket epoch (floor(now / bucketMs)) of the most recent record; -1 before the first. */
  private epoch = -1;
  private total = 0;
  private failures = 0;
  private slow = 0;

  constructor(options: TimeWindowBreakerOptions = {}) {
    this.windowMs = checkInteger('TimeWindowBreaker.windowMs', options.windowMs ?? WINDOW_BREAKER_DEFAULTS.windowMs, 1);
    this.buckets = checkInteger('TimeWindowBreaker.buckets', options.buckets ?? WINDOW_BREAKER_DEFAULTS.buckets, 1, 10_000);
    if (this.windowMs % this.buckets !== 0) {
      throw new InvalidOptionsError(`TimeWindowBreaker.buckets must divide windowMs (${this.windowMs}), got ${this.buckets}`);
    }
    this.bucketMs = this.windowMs / this.buckets;
    this.thresholds = resolveThresholds('TimeWindowBreaker', options);
    this.bucketTotal = new Uint32Array(this.buckets);
    this.bucketFailures = new Uint32Array(this.buckets);
    this.bucketSlow = new Uint32Array(this.buckets);
  }

  get measuresTime(): boolean {
    return true;
  }

  get slowCallDurationMs(): number {
    return this.thresholds.slowCallDurationMs;
  }

  onSuccess(durationMs: number, now: number): boolean {
    return this.record(now, 0, durationMs >= this.thresholds.slowCallDurationMs ? 1 : 0);
  }

  onFailure(durationMs: number, now: number): boolean {
    return this.record(now, 1, durationMs >= this.thresholds.slowCallDurationMs ? 1 : 0);
  }

  tripReason(): string {
    return windowTripReason(this.thresholds, this.total, this.failures, this.slow);
  }

  reset(): void {
    this.bucketTotal.fill(0);
    this.bucketFailures.fill(0);
    this.bucketSlow.fill(0);
    this.epoch = -1;
    this.total = 0;
    this.failures = 0;
    this.slow = 0;
  }

  private record(now: number, failed: number, slow: number): boolean {
    const epoch = Math.floor(now / this.bucketMs);
    if (epoch > this.epoch) this.expire(epoch);
    // A clock that steps backwards records into the newest bucket rather than a stale one.
    const i = this.epoch % this.buckets;
    this.bucketTotal[i]++;
    this.bucketFailures[i] += failed;
    this.bucketSlow[i] += slow;
    this.total++;
    this.failures += failed;
    this.slow += slow;
    return shouldTrip(this.thresholds, this.total, this.failures, this.slow);
  }

  /** Empties the buckets that left the window between the last record and `epoch` (at most `buckets` of them). */
  private expire(epoch: number): void {
    const stale = this.epoch < 0 ? 0 : Math.min(epoch - this.epoch, this.buckets);
    for (let k = 1; k <= stale; k++) {
      const i = (this.epoch + k) % this.buckets;
      this.total -= this.bucketTotal[i];
      this.failures -= this.bucketFailures[i];
      this.slow -= this.bucketSlow[i];
      this.bucketTotal[i] = 0;
      this.bucketFailures[i] = 0;
      this.bucketSlow[i] = 0;
    }
    this.epoch = epoch;
  }
}
