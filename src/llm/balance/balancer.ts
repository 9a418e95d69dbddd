import type { Clock } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import type { Event } from '../../core/events.js';
import type { EjectionEvent } from '../router-events.js';

/** How one call on a deployment ended, reported back to the balancer. */
export interface CallOutcome {
  ok: boolean;
  latencyMs: number;
  /** Tokens used (usage-aware balancing). */
  tokens?: number;
  /** False for outcomes that say nothing about the deployment's health (bad request, caller cancelled). */
  countsAsFailure: boolean;
}

/** A deployment as the balancer sees it (for health, admin and dashboard views). */
export interface DeploymentBalanceState {
  id: string;
  priority: number;
  weight: number;
  outstanding: number;
  /** Peak-EWMA latency estimate in ms. */
  latencyEwmaMs: number;
  ejected: boolean;
  ejectedUntil?: number;
  ejections: number;
  /** 0..1: share of normal traffic while slow-starting after re-admission (1 = full). */
  slowStartFactor: number;
}

/**
 * Chooses deployments within one model group: lowest usable priority tier first, then the
 * group's strategy inside the tier; ejected and unavailable deployments are skipped.
 */
export interface GroupBalancer {
  /**
   * Picks a deployment for one attempt. `exclude`: ids already tried for this request.
   * Returns undefined when no deployment is usable.
   */
  pick(exclude?: ReadonlySet<string>): string | undefined;
  /** Marks the start of a call on `id`; call the returned function exactly once when it ends. */
  start(id: string): (outcome: CallOutcome) => void;
  isEjected(id: string): boolean;
  states(): DeploymentBalanceState[];
  readonly onEjection: Event<EjectionEvent>;
}

export interface GroupBalancerDeps {
  clock: Clock;
  random: RandomSource;
  /** Extra availability test from the router, e.g. the deployment's breaker is not open. Default: all available. */
  isAvailable?: (id: string) => boolean;
  /** The group's name, carried by its ejection events (`EjectionEvent.group`). Default `''`. */
  groupName?: string;
}
