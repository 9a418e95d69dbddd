import { PeakEwma } from './peak-ewma.js';
import { SLOW_START_MIN_FACTOR } from './balancer-defaults.js';

/**
 * The balancer's mutable record of one deployment. Built once per deployment when the group
 * balancer is created; every strategy reads it, only the group balancer writes the health fields.
 */
export class DeploymentSlot {
  /** Calls started and not yet finished. */
  outstanding = 0;
  /** Counted failures since the last success (or since re-admission). */
  consecutiveFailures = 0;
  ejected = false;
  /** Clock time the current ejection ends (meaningful while `ejected`). */
  ejectedUntil = 0;
  /** Ejections over the deployment's lifetime (for views). */
  ejections = 0;
  /** Multiplier of the next ejection's duration, before it is incremented (decays while healthy). */
  ejectionLevel = 0;
  /** Start and end of the slow-start ramp after the latest re-admission (-Infinity: never ejected). */
  readmittedAt = Number.NEGATIVE_INFINITY;
  slowStartEndsAt = Number.NEGATIVE_INFINITY;
  /** Smooth weighted round-robin's running weight. */
  currentWeight = 0;
  readonly latency: PeakEwma;

  /**
   * @param index position in the group's slot array (strategies keep per-slot data by index)
   * @param weight balancing share (> 0)
   */
  constructor(
    readonly index: number,
    readonly id: string,
    readonly priority: number,
    readonly weight: number,
    readonly rpm: number | undefined,
    readonly tpm: number | undefined,
    decayMs: number,
    initialEstimateMs: number,
  ) {
    this.latency = new PeakEwma(decayMs, initialEstimateMs);
  }

  /**
   * Share of normal traffic at `now`: 1 normally; right after re-admission it ramps linearly
   * from {@link SLOW_START_MIN_FACTOR} to 1 over the slow-start period.
   */
  slowStartFactor(now: number): number {
    if (now >= this.slowStartEndsAt) return 1;
    if (now <= this.readmittedAt) return SLOW_START_MIN_FACTOR;
    const progress = (now - this.readmittedAt) / (this.slowStartEndsAt - this.readmittedAt);
    return SLOW_START_MIN_FACTOR + (1 - SLOW_START_MIN_FACTOR) * progress;
  }
}
