import type { RandomSource } from '../../core/random.js';
import type { CallOutcome } from './balancer.js';
import type { BalanceStrategy } from './balance-strategy.js';
import type { DeploymentSlot } from './deployment-slot.js';
import { SlidingWindowCounter } from './sliding-window-counter.js';
import { USAGE_BUCKET_MS, USAGE_WINDOW_MS } from './balancer-defaults.js';

/**
 * Usage-aware balancing on each deployment's RPM/TPM budget over a sliding minute. A request is
 * counted when it starts (so a burst cannot overshoot the RPM budget), its tokens when it ends
 * (`outcome.tokens`; tokens of calls still in flight are unknown). The remaining budget is the
 * smaller of the remaining RPM and TPM shares (0..1); a deployment with neither limit counts as
 * fully free (1). The candidate with the largest remaining share × slow-start factor wins (ties
 * at random); a deployment whose next request would exceed its RPM, or whose TPM is used up, is
 * skipped. If every candidate is over budget the tier is treated as unusable.
 * Picking by share equalises used/limit, so traffic flows in proportion to capacity.
 */
export class UsageAware implements BalanceStrategy {
  private readonly requests: SlidingWindowCounter[];
  private readonly tokens: SlidingWindowCounter[];

  constructor(slots: readonly DeploymentSlot[], private readonly random: RandomSource) {
    this.requests = slots.map(() => new SlidingWindowCounter(USAGE_WINDOW_MS, USAGE_BUCKET_MS));
    this.tokens = slots.map(() => new SlidingWindowCounter(USAGE_WINDOW_MS, USAGE_BUCKET_MS));
  }

  pick(candidates: readonly DeploymentSlot[], count: number, now: number): DeploymentSlot | undefined {
    let best: DeploymentSlot | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    let ties = 0;
    for (let i = 0; i < count; i++) {
      const slot = candidates[i];
      const remaining = this.remainingShare(slot, now);
      if (remaining <= 0) continue;
      const score = remaining * slot.slowStartFactor(now);
      if (score > bestScore) {
        best = slot;
        bestScore = score;
        ties = 1;
      } else if (score === bestScore) {
        ties++;
        if (this.random() * ties < 1) best = slot;
      }
    }
    return best;
  }

  /**
   * Remaining budget share of `slot` at `now` (0 = no request may be sent). With an RPM limit,
   * one request must fit: the share is (rpm - used) / rpm where used < rpm.
   */
  remainingShare(slot: DeploymentSlot, now: number): number {
    let share = 1;
    if (slot.rpm !== undefined) {
      const used = this.requests[slot.index].total(now);
      if (used + 1 > slot.rpm) return 0;
      share = (slot.rpm - used) / slot.rpm;
    }
    if (slot.tpm !== undefined) {
      const used = this.tokens[slot.index].total(now);
      if (used >= slot.tpm) return 0;
      const tokenShare = (slot.tpm - used) / slot.tpm;
      if (tokenShare < share) share = tokenShare;
    }
    return share;
  }

  onStart(slot: DeploymentSlot, now: number): void {
    this.requests[slot.index].add(now, 1);
  }

  onDone(slot: DeploymentSlot, outcome: CallOutcome, now: number): void {
    if (outcome.tokens !== undefined && outcome.tokens > 0) this.tokens[slot.index].add(now, outcome.tokens);
  }
}
