import type { RandomSource } from '../../core/random.js';
import type { BalanceStrategy } from './balance-strategy.js';
import type { DeploymentSlot } from './deployment-slot.js';

/**
 * Least outstanding requests: the deployment with the fewest calls in flight wins; ties are
 * broken uniformly at random (reservoir sampling over the tied ones, no allocation). Weights are
 * not used. A slow-starting deployment's score is (outstanding + 1) / factor, so right after
 * re-admission it does not soak up every request merely because it is idle.
 */
export class LeastOutstanding implements BalanceStrategy {
  constructor(private readonly random: RandomSource) {}

  pick(candidates: readonly DeploymentSlot[], count: number, now: number): DeploymentSlot {
    let best = candidates[0];
    let bestScore = Number.POSITIVE_INFINITY;
    let ties = 0;
    for (let i = 0; i < count; i++) {
      const slot = candidates[i];
      const score = (slot.outstanding + 1) / slot.slowStartFactor(now);
      if (score < bestScore) {
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
}
