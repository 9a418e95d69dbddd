import type { TripStrategy } from './trip-strategy.js';
import { BREAKER_DEFAULTS } from './defaults.js';
import { checkInteger } from './validate.js';

/**
 * Trips after `threshold` failures in a row; any success resets the count.
 *
 * @param threshold consecutive failures that open the circuit (default {@link BREAKER_DEFAULTS}.consecutiveFailures = 5)
 * @example new ConsecutiveBreaker(5)
 */
export class ConsecutiveBreaker implements TripStrategy {
  readonly slowCallDurationMs = Number.POSITIVE_INFINITY;
  readonly measuresTime = false;
  readonly threshold: number;
  private failures = 0;

  constructor(threshold: number = BREAKER_DEFAULTS.consecutiveFailures) {
    this.threshold = checkInteger('ConsecutiveBreaker.threshold', threshold, 1);
  }

  onSuccess(): boolean {
    this.failures = 0;
    return false;
  }

  onFailure(): boolean {
    return ++this.failures >= this.threshold;
  }

  tripReason(): string {
    return `${this.failures} consecutive failures`;
  }

  reset(): void {
    this.failures = 0;
  }
}
