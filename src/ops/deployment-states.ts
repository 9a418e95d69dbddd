import type { BreakerStateName } from '../llm/router-events.js';
import type { UptimeTracker } from './uptime.js';

/** What ops knows about one deployment, from breaker, ejection and probe events. */
export interface DeploymentState {
  id: string;
  group: string;
  breaker: BreakerStateName;
  ejected: boolean;
  /** Last active probe result; undefined before the first probe. */
  probeOk: boolean | undefined;
  /** Clock time of the last probe. */
  probeAt: number | undefined;
  /** Error kind of the last failed probe. */
  probeErrorKind: string | undefined;
  /** Last error kind seen on an attempt or probe (a kind, never a message: no secrets). */
  lastErrorKind: string | undefined;
  /** Clock time of the last state change. */
  since: number;
}

/** Breaker states in which the balancer will not send traffic to a deployment. */
export function breakerBlocks(state: BreakerStateName): boolean {
  return state === 'open' || state === 'isolated';
}

/** True when the router may route to the deployment (breaker not open/isolated, not ejected). */
export function isUsable(state: Pick<DeploymentState, 'breaker' | 'ejected'>): boolean {
  return !breakerBlocks(state.breaker) && !state.ejected;
}

/**
 * The registry of deployment states, seeded from the configured group membership and updated by
 * events (a deployment first seen in an event joins its group). Each change updates uptime and
 * calls `onChange` so gauges stay current; all O(1) except the group count (O(group size)).
 */
export class DeploymentStates {
  private readonly byId = new Map<string, DeploymentState>();
  private readonly groups = new Map<string, Set<string>>();

  constructor(
    membership: Readonly<Record<string, readonly string[]>>,
    private readonly uptime: UptimeTracker,
    private readonly onChange: (state: DeploymentState, groupUsable: number) => void,
    now: number,
  ) {
    for (const [group, ids] of Object.entries(membership)) for (const id of ids) this.ensure(group, id, now);
  }

  /** The state of `id` in `group`, created (closed, admitted) on first sight. */
  ensure(group: string, id: string, at: number): DeploymentState {
    let state = this.byId.get(id);
    if (!state) {
      state = { id, group, breaker: 'closed', ejected: false, probeOk: undefined, probeAt: undefined, probeErrorKind: undefined, lastErrorKind: undefined, since: at };
      this.byId.set(id, state);
      let members = this.groups.get(group);
      if (!members) this.groups.set(group, (members = new Set()));
      members.add(id);
      this.uptime.touch(id, at);
      this.onChange(state, this.usableCount(group));
    }
    return state;
  }

  setBreaker(group: string, id: string, to: BreakerStateName, at: number): void {
    const state = this.ensure(group, id, at);
    if (state.breaker === to) return;
    state.breaker = to;
    this.changed(state, at);
  }

  setEjected(group: string, id: string, ejected: boolean, at: number): void {
    const state = this.ensure(group, id, at);
    if (state.ejected === ejected) return;
    state.ejected = ejected;
    this.changed(state, at);
  }

  /** Records a probe result; only known deployments are probed, the group comes from the registry. */
  setProbe(id: string, ok: boolean, errorKind: string | undefined, at: number): void {
    const state = this.byId.get(id);
    if (!state) return;
    state.probeAt = at;
    state.probeErrorKind = ok ? undefined : errorKind;
    if (errorKind) state.lastErrorKind = errorKind;
    if (state.probeOk === ok) return;
    state.probeOk = ok;
    this.changed(state, at);
  }

  noteError(group: string, id: string, errorKind: string, at: number): void {
    this.ensure(group, id, at).lastErrorKind = errorKind;
  }

  get(id: string): DeploymentState | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<DeploymentState> {
    return this.byId.values();
  }

  /** Deployment ids in `group` (configured plus seen). */
  members(group: string): ReadonlySet<string> {
    return this.groups.get(group) ?? EMPTY;
  }

  groupNames(): IterableIterator<string> {
    return this.groups.keys();
  }

  /** How many of `group`'s deployments the router may use now. */
  usableCount(group: string): number {
    let usable = 0;
    for (const id of this.members(group)) if (isUsable(this.byId.get(id)!)) usable++;
    return usable;
  }

  private changed(state: DeploymentState, at: number): void {
    state.since = at;
    this.uptime.set(state.id, isUsable(state) && state.probeOk !== false, at);
    this.onChange(state, this.usableCount(state.group));
  }
}

const EMPTY: ReadonlySet<string> = new Set();
