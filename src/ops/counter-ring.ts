/**
 * A ring of fixed-width time buckets holding three counters (total, bad, slow) — the cheap,
 * bounded series the SLO burn-rate windows read (e.g. 5-min buckets for 3 days = 864 slots,
 * 3 × 864 numbers). O(1) per event, O(buckets in window) per read.
 *
 * @example const ring = new CounterRing(60_000, 360); ring.add(now, false, true);
 */
export class CounterRing {
  private readonly ids: Float64Array;
  private readonly totals: Float64Array;
  private readonly bads: Float64Array;
  private readonly slows: Float64Array;

  constructor(readonly bucketMs: number, readonly bucketCount: number) {
    this.ids = new Float64Array(bucketCount).fill(-1);
    this.totals = new Float64Array(bucketCount);
    this.bads = new Float64Array(bucketCount);
    this.slows = new Float64Array(bucketCount);
  }

  get spanMs(): number {
    return this.bucketMs * this.bucketCount;
  }

  /** Counts one event at `at`: `bad` (failed) and `slow` (over the latency threshold). */
  add(at: number, bad: boolean, slow: boolean): void {
    const id = Math.floor(at / this.bucketMs);
    const slot = id % this.bucketCount;
    if (this.ids[slot] !== id) {
      if (this.ids[slot] > id) return;
      this.ids[slot] = id;
      this.totals[slot] = 0;
      this.bads[slot] = 0;
      this.slows[slot] = 0;
    }
    this.totals[slot]++;
    if (bad) this.bads[slot]++;
    if (slow) this.slows[slot]++;
  }

  /** Sums over the last `windowMs` ending at `now` (current partial bucket included). */
  sum(now: number, windowMs: number): { total: number; bad: number; slow: number } {
    const nowId = Math.floor(now / this.bucketMs);
    const n = Math.min(this.bucketCount, Math.max(1, Math.ceil(windowMs / this.bucketMs)));
    let total = 0;
    let bad = 0;
    let slow = 0;
    for (let i = 0; i < n; i++) {
      const id = nowId - i;
      if (id < 0) break;
      const slot = id % this.bucketCount;
      if (this.ids[slot] !== id) continue;
      total += this.totals[slot];
      bad += this.bads[slot];
      slow += this.slows[slot];
    }
    return { total, bad, slow };
  }
}
