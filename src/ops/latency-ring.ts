import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { SLA_MAX_LATENCY_MS, SLA_SIGNIFICANT_DIGITS } from './defaults.js';

/**
 * Builds the histogram every SLA bucket and window uses: ms from 1 to {@link SLA_MAX_LATENCY_MS},
 * {@link SLA_SIGNIFICANT_DIGITS} significant digits (values within 1 %), 32-bit counts (about
 * 8 KB). Packed histograms are smaller but measured 40x slower to merge.
 */
export function newLatencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: SLA_MAX_LATENCY_MS,
    numberOfSignificantValueDigits: SLA_SIGNIFICANT_DIGITS,
    autoResize: false,
  });
}

/** One rolling window's running totals; `histogram` holds exactly the window's latencies. */
export interface WindowTotals {
  count: number;
  errors: number;
  sumMs: number;
  readonly histogram: Histogram;
}

/**
 * A ring of fixed-width time buckets (counts, errors, latency sum, lazily allocated HDR
 * histogram) plus one running aggregate per rolling window. Recording adds to the current bucket
 * and to each window (O(1)); when time moves past a bucket boundary, the bucket that leaves a
 * window is subtracted from it (O(histogram size), once per bucket width, not per event). Reads
 * are O(1) totals and one percentile walk. A window covers its last `n` buckets, the current
 * partial one included, so its edge moves in steps of `bucketMs`. Late events count in the
 * current bucket. Memory is bounded by `bucketCount + windows.length` histograms.
 *
 * @example const ring = new LatencyRing(10_000, 30, [6, 30]); ring.record(now, true, 120); ring.window(1, now)
 */
export class LatencyRing {
  private readonly ids: Float64Array;
  private readonly counts: Float64Array;
  private readonly errors: Float64Array;
  private readonly sums: Float64Array;
  private readonly histograms: Array<Histogram | undefined>;
  private readonly windows: WindowTotals[];
  private lastId = -1;

  /** @param windowBuckets each rolling window's length in buckets (≤ `bucketCount`). */
  constructor(readonly bucketMs: number, readonly bucketCount: number, private readonly windowBuckets: readonly number[]) {
    for (const n of windowBuckets) if (n < 1 || n > bucketCount) throw new RangeError(`LatencyRing: window of ${n} buckets outside 1..${bucketCount}`);
    this.ids = new Float64Array(bucketCount).fill(-1);
    this.counts = new Float64Array(bucketCount);
    this.errors = new Float64Array(bucketCount);
    this.sums = new Float64Array(bucketCount);
    this.histograms = new Array(bucketCount);
    this.windows = windowBuckets.map(() => ({ count: 0, errors: 0, sumMs: 0, histogram: newLatencyHistogram() }));
  }

  /** Records one outcome at `at`; `ok` false counts an error. */
  record(at: number, ok: boolean, latencyMs: number): void {
    this.advance(Math.floor(at / this.bucketMs));
    const slot = this.lastId % this.bucketCount;
    if (this.ids[slot] !== this.lastId) {
      this.ids[slot] = this.lastId;
      this.counts[slot] = 0;
      this.errors[slot] = 0;
      this.sums[slot] = 0;
      this.histograms[slot]?.reset();
    }
    const value = latencyMs < 1 ? 1 : latencyMs > SLA_MAX_LATENCY_MS ? SLA_MAX_LATENCY_MS : Math.round(latencyMs);
    const error = ok ? 0 : 1;
    this.counts[slot]++;
    this.errors[slot] += error;
    this.sums[slot] += latencyMs;
    let histogram = this.histograms[slot];
    if (!histogram) histogram = this.histograms[slot] = newLatencyHistogram();
    histogram.recordValue(value);
    for (let w = 0; w < this.windows.length; w++) {
      const window = this.windows[w];
      window.count++;
      window.errors += error;
      window.sumMs += latencyMs;
      window.histogram.recordValue(value);
    }
  }

  /** The running totals of window `index` as of `now` (do not mutate). */
  window(index: number, now: number): Readonly<WindowTotals> {
    this.advance(Math.floor(now / this.bucketMs));
    return this.windows[index];
  }

  /** Moves the current bucket to `id`, subtracting every bucket that left a window. */
  private advance(id: number): void {
    if (id <= this.lastId) return;
    for (let w = 0; w < this.windows.length; w++) {
      const n = this.windowBuckets[w];
      const window = this.windows[w];
      if (id - this.lastId >= n || this.lastId < 0) {
        window.count = window.errors = window.sumMs = 0;
        window.histogram.reset();
        continue;
      }
      // Buckets (lastId - n, id - n] leave the window.
      for (let gone = this.lastId - n + 1; gone <= id - n; gone++) {
        if (gone < 0) continue;
        const slot = gone % this.bucketCount;
        if (this.ids[slot] !== gone) continue;
        window.count -= this.counts[slot];
        window.errors -= this.errors[slot];
        window.sumMs -= this.sums[slot];
        const histogram = this.histograms[slot];
        if (histogram && histogram.totalCount > 0) window.histogram.subtract(histogram);
      }
    }
    this.lastId = id;
  }
}
