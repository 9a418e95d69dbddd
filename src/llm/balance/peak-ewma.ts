/**
 * Peak-EWMA latency estimate (the load metric of Finagle's and linkerd's p2c balancers):
 * a sample above the estimate replaces it at once (peak), lower samples blend in with weight
 * `1 - exp(-elapsed / decayMs)`, so the estimate reacts to a spike immediately and forgets it
 * over a few decay times. While the deployment is idle the read value decays toward 0, so a
 * deployment that was once slow is probed again rather than starved forever (see {@link estimate}).
 *
 * @example
 * const ewma = new PeakEwma(10_000, 1_000);
 * ewma.observe(now, 250);
 * ewma.estimate(now + 5_000, 0); // the idle-decayed estimate
 */
export class PeakEwma {
  private value: number;
  private stamp = Number.NEGATIVE_INFINITY;
  private sampled = false;

  /**
   * @param decayMs decay time tau (default in the balancer: `EWMA_DECAY_MS`, 10 s)
   * @param initialEstimateMs value before the first sample (default `INITIAL_LATENCY_ESTIMATE_MS`, 1 s)
   */
  constructor(private readonly decayMs: number, initialEstimateMs: number) {
    this.value = initialEstimateMs;
  }

  /** Records a latency sample taken at `now`. */
  observe(now: number, latencyMs: number): void {
    const sample = latencyMs > 0 ? latencyMs : 0;
    if (!this.sampled) {
      this.value = sample;
      this.sampled = true;
    } else if (sample > this.value) {
      this.value = sample;
    } else {
      const elapsed = now - this.stamp;
      // Time-based, not sample-based: samples in the same millisecond do not move it.
      const keep = elapsed > 0 ? Math.exp(-elapsed / this.decayMs) : 1;
      this.value = this.value * keep + sample * (1 - keep);
    }
    this.stamp = now;
  }

  /**
   * The estimate as read at `now`. When idle it decays toward 0, so an idle deployment looks
   * cheap and gets probed; once a call is outstanding it is the last sampled value again (the
   * probe's latency is still unknown), so one idle deployment cannot attract a burst.
   */
  estimate(now: number, outstanding: number): number {
    if (!this.sampled || outstanding > 0) return this.value;
    const elapsed = now - this.stamp;
    return elapsed > 0 ? this.value * Math.exp(-elapsed / this.decayMs) : this.value;
  }

  /** The estimate as of the last sample, without idle decay. */
  get lastValue(): number {
    return this.value;
  }

  /** True once a sample has been observed. */
  get hasSamples(): boolean {
    return this.sampled;
  }
}
