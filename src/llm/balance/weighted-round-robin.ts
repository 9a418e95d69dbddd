import type { BalanceStrategy } from './balance-strategy.js';
import type { DeploymentSlot } from './deployment-slot.js';

/**
 * Smooth weighted round-robin (the scheme nginx uses for `upstream` weights): each pick adds
 * every candidate's effective weight to its running weight, takes the highest, and subtracts the
 * round's total from the winner. Over one cycle (the sum of integer weights) each deployment is
 * picked exactly its weight's number of times, spread out rather than in bursts
 * (weights 5,1,1 give a a b a c a a). Effective weight = weight × slow-start factor.
 * Ties go to the earlier deployment in config order, so the sequence is deterministic.
 */
export class WeightedRoundRobin implements BalanceStrategy {
  pick(candidates: readonly DeploymentSlot[], count: number, now: number): DeploymentSlot {
    let best = candidates[0];
    let bestWeight = Number.NEGATIVE_INFINITY;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const slot = candidates[i];
      const effective = slot.weight * slot.slowStartFactor(now);
      slot.currentWeight += effective;
      total += effective;
      if (slot.currentWeight > bestWeight) {
        best = slot;
        bestWeight = slot.currentWeight;
      }
    }
    best.currentWeight -= total;
    return best;
  }
}
