import type { EventEmitter } from '../../core/events.js';
import type { EjectionEvent } from '../router-events.js';
import type { CallOutcome } from './balancer.js';
import type { ResolvedEjection } from './balancer-options.js';
import type { DeploymentSlot } from './deployment-slot.js';

/**
 * Outlier ejection for one group (consecutive-failures detection, as in Envoy's outlier detector):
 *
 * - a deployment is ejected after `consecutiveFailures` counted failures in a row (outcomes with
 *   `countsAsFailure`); a success resets the count, outcomes that say nothing about health
 *   (`countsAsFailure: false`) leave it unchanged;
 * - the n-th recent ejection lasts `baseEjectionMs × n`, capped at `maxEjectionMs`. "Recent":
 *   n drops by one for every full `maxEjectionMs` the deployment then stays in rotation, so an
 *   old incident does not lengthen ejections forever;
 * - at most `floor(deployments × maxEjectedPercent)` are ejected at once (rounded down: with the
 *   default 0.5, a group of 1 never ejects, 2 or 3 eject one, 4 eject two; with 1.0 all may go).
 *   A deployment that reaches the threshold while the cap is full stays in rotation and is
 *   ejected on its next counted failure once the cap has room;
 * - re-admission is lazy: whoever reads the state (pick, isEjected, states, an outcome) after
 *   `ejectedUntil` re-admits it, dated `ejectedUntil`, and the slow-start ramp starts from there.
 *   No timers, so nothing to clean up.
 */
export class OutlierEjector {
  /** Deployments ejected right now. */
  ejectedCount = 0;
  /** Most deployments that may be ejected at once. */
  readonly maxEjected: number;

  constructor(
    private readonly slots: readonly DeploymentSlot[],
    private readonly config: ResolvedEjection,
    private readonly events: EventEmitter<EjectionEvent>,
    private readonly groupName: string,
  ) {
    // The epsilon keeps 0.3 × 10 (= 2.9999999999999996 in floating point) at 3.
    this.maxEjected = Math.floor(slots.length * config.maxEjectedPercent + 1e-9);
  }

  /** Re-admits every deployment whose ejection has ended by `now`. */
  readmitDue(now: number): void {
    if (this.ejectedCount === 0) return;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i];
      if (slot.ejected && now >= slot.ejectedUntil) this.readmit(slot);
    }
  }

  /** Applies one call's outcome to `slot`'s failure count; may eject it. */
  record(slot: DeploymentSlot, outcome: CallOutcome, now: number): void {
    this.readmitDue(now);
    if (outcome.ok) {
      slot.consecutiveFailures = 0;
      return;
    }
    if (!outcome.countsAsFailure) return;
    slot.consecutiveFailures++;
    if (slot.ejected || slot.consecutiveFailures < this.config.consecutiveFailures) return;
    if (this.ejectedCount >= this.maxEjected) return;
    this.eject(slot, now);
  }

  private eject(slot: DeploymentSlot, now: number): void {
    // Never re-admitted before: readmittedAt is -Infinity, so the level starts from 0.
    const healthyPeriods = Math.floor((now - slot.readmittedAt) / this.config.maxEjectionMs);
    const level = Math.max(0, slot.ejectionLevel - healthyPeriods);
    slot.ejectionLevel = level + 1;
    const durationMs = Math.min(this.config.baseEjectionMs * slot.ejectionLevel, this.config.maxEjectionMs);
    slot.ejected = true;
    slot.ejectedUntil = now + durationMs;
    slot.ejections++;
    slot.consecutiveFailures = 0;
    this.ejectedCount++;
    if (this.events.hasListeners) {
      this.events.emit({ group: this.groupName, deployment: slot.id, ejected: true, durationMs, at: now });
    }
  }

  private readmit(slot: DeploymentSlot): void {
    const at = slot.ejectedUntil;
    slot.ejected = false;
    slot.consecutiveFailures = 0;
    slot.readmittedAt = at;
    slot.slowStartEndsAt = at + this.config.slowStartMs;
    this.ejectedCount--;
    if (this.events.hasListeners) {
      this.events.emit({ group: this.groupName, deployment: slot.id, ejected: false, at });
    }
  }
}
