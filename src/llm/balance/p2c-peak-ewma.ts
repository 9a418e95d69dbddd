import type { RandomSource } from '../../core/random.js';
import type { BalanceStrategy } from './balance-strategy.js';
import type { DeploymentSlot } from './deployment-slot.js';

/**
 * Power of two choices on peak-EWMA latency (the default strategy): draw two distinct candidates
 * at random and take the cheaper, where cost = latency estimate × (outstanding + 1)
 * ÷ (weight × slow-start factor). Sampling two instead of scanning all avoids the herd that a
 * pure "fastest wins" rule causes, yet load still flows strongly to fast, idle deployments.
 * Equal costs go to the first draw (itself random).
 */
export class P2cPeakEwma implements BalanceStrategy {
  constructor(private readonly random: RandomSource) {}

  pick(candidates: readonly DeploymentSlot[], count: number, now: number): DeploymentSlot {
    if (count === 1) return candidates[0];
    const first = Math.floor(this.random() * count);
    let second: number;
    if (count === 2) {
      second = 1 - first;
    } else {
      second = Math.floor(this.random() * (count - 1));
      if (second >= first) second++;
    }
    const a = candidates[first];
    const b = candidates[second];
    return p2cCost(b, now) < p2cCost(a, now) ? b : a;
  }
}

/**
 * The load score p2c compares; lower is better: estimate × (outstanding + 1) ÷ (weight × slow-start factor).
 *
 * @example p2cCost(slot, clock.now()); // 250 for an idle, full-weight deployment estimated at 250 ms
 */
export function p2cCost(slot: DeploymentSlot, now: number): number {
  const estimate = slot.latency.estimate(now, slot.outstanding);
  return (estimate * (slot.outstanding + 1)) / (slot.weight * slot.slowStartFactor(now));
}
