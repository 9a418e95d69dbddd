import { EventEmitter } from '../../core/events.js';
import { InvalidOptionsError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import type { ModelGroupConfig } from '../router-config.js';
import type { EjectionEvent } from '../router-events.js';
import type { CallOutcome, DeploymentBalanceState, GroupBalancer, GroupBalancerDeps } from './balancer.js';
import type { BalanceStrategy } from './balance-strategy.js';
import { resolveEjection, validateGroup, type BalancerName } from './balancer-options.js';
import { EWMA_DECAY_MS, INITIAL_LATENCY_ESTIMATE_MS } from './balancer-defaults.js';
import { DeploymentSlot } from './deployment-slot.js';
import { OutlierEjector } from './outlier-ejector.js';
import { WeightedRoundRobin } from './weighted-round-robin.js';
import { LeastOutstanding } from './least-outstanding.js';
import { P2cPeakEwma } from './p2c-peak-ewma.js';
import { UsageAware } from './usage-aware.js';
import type { RandomSource } from '../../core/random.js';

/**
 * Builds the balancer of one model group. Validates the group once (throws
 * `InvalidOptionsError` naming the field and value), then every `pick` is a scan over at most the
 * group's deployments with no allocation.
 *
 * A pick takes the lowest-numbered priority tier that has at least one usable deployment (not
 * ejected, `deps.isAvailable(id)` true, not in `exclude`) and lets the group's strategy
 * (default `p2c-ewma`) choose inside it. The next tier is used only when a whole tier is
 * unusable (usage-aware also moves on when every usable one is over budget).
 *
 * @example
 * const balancer = createGroupBalancer(config.modelGroups.gpt4, { clock: systemClock, random: defaultRandom, groupName: 'gpt4' });
 * const id = balancer.pick(tried);
 * if (id) { const done = balancer.start(id); ...; done({ ok: true, latencyMs, tokens, countsAsFailure: false }); }
 */
export function createGroupBalancer(group: ModelGroupConfig, deps: GroupBalancerDeps): GroupBalancer {
  return new DeploymentGroupBalancer(group, deps);
}

class DeploymentGroupBalancer implements GroupBalancer {
  private readonly clock: Clock;
  private readonly isAvailable: ((id: string) => boolean) | undefined;
  /** Config order (views and strategies' per-slot data). */
  private readonly slots: readonly DeploymentSlot[];
  /** Slots sorted by priority (stable: config order inside a tier). */
  private readonly byPriority: readonly DeploymentSlot[];
  /** `tierStarts[t]..tierStarts[t + 1]` is tier t in `byPriority`. */
  private readonly tierStarts: Int32Array;
  private readonly byId = new Map<string, DeploymentSlot>();
  /** Reused candidate buffer: picks never allocate. */
  private readonly candidates: DeploymentSlot[];
  private readonly strategy: BalanceStrategy;
  private readonly ejector: OutlierEjector;
  private readonly ejections = new EventEmitter<EjectionEvent>();
  readonly onEjection = this.ejections.event;

  constructor(group: ModelGroupConfig, deps: GroupBalancerDeps) {
    const path = deps.groupName ? `modelGroups.${deps.groupName}` : 'group';
    const balancer = validateGroup(group, path);
    const ejection = resolveEjection(group.ejection, path);
    this.clock = deps.clock;
    this.isAvailable = deps.isAvailable;
    this.slots = group.deployments.map(
      (d, index) =>
        new DeploymentSlot(index, d.id, d.priority ?? 0, d.weight ?? 1, d.rpm, d.tpm, EWMA_DECAY_MS, INITIAL_LATENCY_ESTIMATE_MS),
    );
    for (const slot of this.slots) this.byId.set(slot.id, slot);
    this.byPriority = [...this.slots].sort((a, b) => a.priority - b.priority || a.index - b.index);
    const starts: number[] = [];
    this.byPriority.forEach((slot, i) => {
      if (i === 0 || slot.priority !== this.byPriority[i - 1].priority) starts.push(i);
    });
    starts.push(this.byPriority.length);
    this.tierStarts = Int32Array.from(starts);
    this.candidates = this.slots.slice();
    this.strategy = buildStrategy(balancer, this.slots, deps.random);
    this.ejector = new OutlierEjector(this.slots, ejection, this.ejections, deps.groupName ?? '');
  }

  pick(exclude?: ReadonlySet<string>): string | undefined {
    const now = this.clock.now();
    this.ejector.readmitDue(now);
    const candidates = this.candidates;
    const tiers = this.tierStarts.length - 1;
    for (let tier = 0; tier < tiers; tier++) {
      let count = 0;
      for (let i = this.tierStarts[tier], end = this.tierStarts[tier + 1]; i < end; i++) {
        const slot = this.byPriority[i];
        if (slot.ejected) continue;
        if (exclude !== undefined && exclude.has(slot.id)) continue;
        if (this.isAvailable !== undefined && !this.isAvailable(slot.id)) continue;
        candidates[count++] = slot;
      }
      if (count === 0) continue;
      const chosen = this.strategy.pick(candidates, count, now);
      if (chosen !== undefined) return chosen.id;
    }
    return undefined;
  }

  start(id: string): (outcome: CallOutcome) => void {
    const slot = this.byId.get(id);
    if (slot === undefined) {
      throw new InvalidOptionsError(`start: deployment ${JSON.stringify(id)} is not in this group`);
    }
    slot.outstanding++;
    this.strategy.onStart?.(slot, this.clock.now());
    let finished = false;
    // The contract hands out one completion function per call; it guards against double calls.
    return (outcome) => {
      if (finished) return;
      finished = true;
      this.finish(slot, outcome);
    };
  }

  isEjected(id: string): boolean {
    this.ejector.readmitDue(this.clock.now());
    return this.byId.get(id)?.ejected ?? false;
  }

  states(): DeploymentBalanceState[] {
    const now = this.clock.now();
    this.ejector.readmitDue(now);
    return this.slots.map((slot) => {
      const state: DeploymentBalanceState = {
        id: slot.id,
        priority: slot.priority,
        weight: slot.weight,
        outstanding: slot.outstanding,
        latencyEwmaMs: slot.latency.estimate(now, slot.outstanding),
        ejected: slot.ejected,
        ejections: slot.ejections,
        slowStartFactor: slot.slowStartFactor(now),
      };
      if (slot.ejected) state.ejectedUntil = slot.ejectedUntil;
      return state;
    });
  }

  private finish(slot: DeploymentSlot, outcome: CallOutcome): void {
    const now = this.clock.now();
    slot.outstanding--;
    if (outcome.ok) {
      slot.latency.observe(now, outcome.latencyMs);
    } else if (outcome.countsAsFailure) {
      // A fast failure must not make a failing deployment look fast and attract traffic.
      slot.latency.observe(now, Math.max(outcome.latencyMs, slot.latency.lastValue));
    }
    this.ejector.record(slot, outcome, now);
    this.strategy.onDone?.(slot, outcome, now);
  }
}

function buildStrategy(name: BalancerName, slots: readonly DeploymentSlot[], random: RandomSource): BalanceStrategy {
  switch (name) {
    case 'round-robin':
      return new WeightedRoundRobin();
    case 'least-outstanding':
      return new LeastOutstanding(random);
    case 'usage':
      return new UsageAware(slots, random);
    case 'p2c-ewma':
      return new P2cPeakEwma(random);
  }
}
