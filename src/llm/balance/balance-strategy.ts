import type { CallOutcome } from './balancer.js';
import type { DeploymentSlot } from './deployment-slot.js';

/**
 * How a group chooses among the usable deployments of one priority tier. The group balancer
 * does the filtering (tiers, ejection, availability, exclusions); a strategy only ranks.
 * Strategies are built once per group and must not allocate per pick.
 */
export interface BalanceStrategy {
  /**
   * Chooses one of `candidates[0..count)` (count ≥ 1; entries past `count` are stale). Returns
   * undefined only when every candidate is unusable for a strategy-specific reason (usage-aware:
   * all over budget); the group balancer then tries the next tier.
   */
  pick(candidates: readonly DeploymentSlot[], count: number, now: number): DeploymentSlot | undefined;
  /** A call started on `slot` (after `outstanding` was incremented). */
  onStart?(slot: DeploymentSlot, now: number): void;
  /** A call on `slot` ended (after `outstanding` was decremented). */
  onDone?(slot: DeploymentSlot, outcome: CallOutcome, now: number): void;
}
