/**
 * A trip strategy decides, from the outcomes of calls made while the circuit is closed, when it
 * should open. Strategies are plain objects owned by one breaker; every method is O(1) and
 * allocation-free because it runs on each call.
 *
 * @example new CircuitBreaker({ strategy: new ConsecutiveBreaker(5) })
 */
export interface TripStrategy {
  /**
   * Calls that took at least this long count as slow. A half-open probe this slow reopens the
   * circuit. `Infinity` when the strategy does not track slow calls.
   */
  readonly slowCallDurationMs: number;
  /**
   * False when `onSuccess`/`onFailure` ignore `durationMs` and `now`: the breaker then skips
   * reading the clock on the hot path (unless someone listens to call events).
   */
  readonly measuresTime: boolean;
  /** Records a successful call (closed state). Returns true when the circuit should open. */
  onSuccess(durationMs: number, now: number): boolean;
  /** Records a failed call (closed state). Returns true when the circuit should open. */
  onFailure(durationMs: number, now: number): boolean;
  /** Why the last `true` was returned, e.g. `"5 consecutive failures"`. Read only when tripping. */
  tripReason(): string;
  /** Forgets every recorded outcome (the breaker calls it when it opens and when it closes). */
  reset(now: number): void;
}
