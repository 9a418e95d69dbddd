import type { GroupBalancer } from '../balance/balancer.js';
import type { Deployment } from './deployment.js';
import type { ResolvedHedge } from './resolve-policies.js';

/** One model group at run time: its deployments and the balancer that picks among them. */
export class ModelGroup {
  readonly byId: ReadonlyMap<string, Deployment>;
  /** Ids of deployments that cannot continue a broken stream (excluded when picking a continuation). */
  readonly nonContinuable: readonly string[];

  constructor(
    readonly name: string,
    readonly deployments: readonly Deployment[],
    readonly balancer: GroupBalancer,
    /** Hedging inside a chain step on this group; undefined = one deployment at a time. */
    readonly hedge: ResolvedHedge | undefined = undefined,
  ) {
    this.byId = new Map(deployments.map((d) => [d.id, d]));
    this.nonContinuable = deployments.filter((d) => d.config.canContinue !== true).map((d) => d.id);
  }
}
