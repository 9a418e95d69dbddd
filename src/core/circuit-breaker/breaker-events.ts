import { EventEmitter } from '../events.js';
import type { BreakerCallEvent, BreakerFailureEvent, BreakerRejectedEvent, BreakerStateChangeEvent } from './types.js';

/**
 * The event sources of one breaker. Each event object is built only when someone listens
 * (`hasListeners`), so telemetry costs nothing on the hot path when nobody does.
 *
 * @example
 * const events = new BreakerEvents();
 * if (events.successes.hasListeners) events.successes.emit({ name, state, durationMs });
 */
export class BreakerEvents {
  /** Every transition, local or remote. */
  readonly stateChanges = new EventEmitter<BreakerStateChangeEvent>();
  /** A call succeeded (or its error was classified `success`). */
  readonly successes = new EventEmitter<BreakerCallEvent>();
  /** A call failed and the failure was counted. */
  readonly failures = new EventEmitter<BreakerFailureEvent>();
  /** A call failed with an error classified `ignore`, or its caller cancelled it. */
  readonly ignored = new EventEmitter<BreakerFailureEvent>();
  /** A call was refused (or, with `metricsOnly`, would have been). */
  readonly rejections = new EventEmitter<BreakerRejectedEvent>();

  /** Whether anyone listens to call outcomes (their durations must then be measured). */
  get callListeners(): boolean {
    return this.successes.hasListeners || this.failures.hasListeners || this.ignored.hasListeners;
  }
}
