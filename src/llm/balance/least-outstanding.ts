import type { RandomSource } from '../../core/random.js';
import type { BalanceStrategy } from './balance-strategy.js';
import type { DeploymentSlot } from './deployment-slot.js';

/**
 * Least outstanding requests: the deployment with the fewest calls in flight wins; ties are
 * broken uniformly at random (one draw, no allocation). Weights are not used. A slow-starting
 * deployment's score is (outstanding + 1) / factor, so right after re-admission it does not soak
 * up every request merely because it is idle.
 */
export class LeastOutstanding implements BalanceStrategy {
  constructor(private readonly random: RandomSource) {}

  pick(candidates: readonly DeploymentSlot[], count: number, now: number): DeploymentSlot {
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    let ties = 0;
    for (let i = 0; i < count; i++) {
      const score = outstandingScore(candidates[i], now);
      if (score < bestScore) {
        best = i;
        bestScore = score;
        ties = 1;
      } else if (score === bestScore) {
        ties++;
      }
    }
    if (ties === 1) return candidates[best];
    // Second pass only on a tie: the k-th tied candidate, k drawn once.
    let skip = Math.floor(this.random() * ties);
    for (let i = best; i < count; i++) {
      if (outstandingScore(candidates[i], now) === bestScore && skip-- === 0) return candidates[i];
    }
    return candidates[0]; // unreachable: one of the ties is found above
  }
}

function outstandingScore(slot: DeploymentSlot, now: number): number {
  return (slot.outstanding + 1) / slot.slowStartFactor(now);
}
