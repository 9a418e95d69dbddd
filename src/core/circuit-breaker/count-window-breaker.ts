import type { TripStrategy } from './trip-strategy.js';
import { WINDOW_BREAKER_DEFAULTS } from './defaults.js';
import { checkInteger } from './validate.js';
import { resolveThresholds, shouldTrip, windowTripReason, type WindowThresholdOptions, type WindowThresholds } from './window-thresholds.js';

/** Options of {@link CountWindowBreaker}. */
export interface CountWindowBreakerOptions extends WindowThresholdOptions {
  /** The window is the last `windowSize` calls (default 100). */
  windowSize?: number;
}

const FAILED = 1;
const SLOW = 2;

/**
 * Trips when the failure rate (or slow-call rate) over the last `windowSize` calls reaches its
 * threshold, once at least `minimumCalls` calls were seen. A ring buffer of one byte per call:
 * O(1) per call, no allocation after construction.
 *
 * @example new CountWindowBreaker({ windowSize: 50, minimumCalls: 10, failureRateThreshold: 0.5 })
 */
export class CountWindowBreaker implements TripStrategy {
  readonly windowSize: number;
  readonly thresholds: WindowThresholds;
  private readonly ring: Uint8Array;
  private next = 0;
  private total = 0;
  private failures = 0;
  private slow = 0;

  constructor(options: CountWindowBreakerOptions = {}) {
    this.windowSize = checkInteger('CountWindowBreaker.windowSize', options.windowSize ?? WINDOW_BREAKER_DEFAULTS.windowSize, 1, 1_000_000);
    this.thresholds = resolveThresholds('CountWindowBreaker', options);
    this.ring = new Uint8Array(this.windowSize);
  }

  get measuresTime(): boolean {
    return this.thresholds.slowCallDurationMs !== Number.POSITIVE_INFINITY;
  }

  get slowCallDurationMs(): number {
    return this.thresholds.slowCallDurationMs;
  }

  onSuccess(durationMs: number): boolean {
    return this.record(durationMs >= this.thresholds.slowCallDurationMs ? SLOW : 0);
  }

  onFailure(durationMs: number): boolean {
    return this.record(durationMs >= this.thresholds.slowCallDurationMs ? FAILED | SLOW : FAILED);
  }

  tripReason(): string {
    return windowTripReason(this.thresholds, this.total, this.failures, this.slow);
  }

  reset(): void {
    this.ring.fill(0);
    this.next = 0;
    this.total = 0;
    this.failures = 0;
    this.slow = 0;
  }

  private record(flags: number): boolean {
    const i = this.next;
    if (this.total === this.windowSize) {
      const evicted = this.ring[i];
      this.failures -= evicted & FAILED;
      this.slow -= (evicted & SLOW) >> 1;
    } else {
      this.total++;
    }
    this.ring[i] = flags;
    this.failures += flags & FAILED;
    this.slow += (flags & SLOW) >> 1;
    this.next = i + 1 === this.windowSize ? 0 : i + 1;
    return shouldTrip(this.thresholds, this.total, this.failures, this.slow);
  }
}
