/**
 * A sum over a sliding time window, kept in a ring of fixed-size buckets (no allocation after
 * construction). The window moves one bucket at a time, so "the last minute" with 1 s buckets
 * means the current second plus the 59 before it.
 *
 * @example
 * const requests = new SlidingWindowCounter(60_000, 1_000);
 * requests.add(clock.now(), 1);
 * requests.total(clock.now()); // requests in the last minute
 */
export class SlidingWindowCounter {
  private readonly buckets: Float64Array;
  /** Absolute bucket number (time / bucketMs) of the newest bucket. */
  private head = Number.NEGATIVE_INFINITY;
  private sum = 0;

  /**
   * @param windowMs window length (usage balancing: `USAGE_WINDOW_MS`, 60 s)
   * @param bucketMs resolution (usage balancing: `USAGE_BUCKET_MS`, 1 s); must divide windowMs
   */
  constructor(windowMs: number, private readonly bucketMs: number) {
    this.buckets = new Float64Array(Math.max(1, Math.round(windowMs / bucketMs)));
  }

  add(now: number, amount: number): void {
    this.advance(now);
    const index = this.head % this.buckets.length;
    this.buckets[index] += amount;
    this.sum += amount;
  }

  /** The sum over the window ending at `now`. */
  total(now: number): number {
    this.advance(now);
    return this.sum;
  }

  private advance(now: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    if (bucket <= this.head) return;
    const size = this.buckets.length;
    if (bucket - this.head >= size) {
      this.buckets.fill(0);
      this.sum = 0;
    } else {
      for (let b = this.head + 1; b <= bucket; b++) {
        const index = b % size;
        this.sum -= this.buckets[index];
        this.buckets[index] = 0;
      }
      // Repeated float subtraction can leave dust; totals are counts, never negative.
      if (this.sum < 1e-9) this.sum = 0;
    }
    this.head = bucket;
  }
}
