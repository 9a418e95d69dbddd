import type { AlertCondition, AlertRule } from './alert-types.js';
import type { BurnRateTracker, SloKind } from './burn-rate.js';
import type { ResolvedOpsConfig } from './config.js';
import { objectiveFor, primaryGroups } from './config.js';
import type { DeploymentStates } from './deployment-states.js';
import { breakerBlocks, isUsable } from './deployment-states.js';
import type { SlaScope, SlaTracker } from './sla.js';

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

/**
 * Fires per deployment while its breaker is open, isolated or half-open (not yet recovered), and
 * also for a breaker that opened and closed again between two ticks (`noteOpened` latches it for
 * one evaluation), so a flapping breaker is never missed.
 */
export class BreakerOpenedRule implements AlertRule {
  readonly name = 'breaker_opened';
  private readonly latched = new Map<string, string>();

  constructor(private readonly states: DeploymentStates) {}

  /** Called from the breaker event (O(1)). */
  noteOpened(group: string, deployment: string): void {
    this.latched.set(deployment, group);
  }

  evaluate(): AlertCondition[] {
    const out: AlertCondition[] = [];
    for (const s of this.states.all()) {
      if (breakerBlocks(s.breaker) || s.breaker === 'half-open' || this.latched.has(s.id)) {
        // A breaker sends its deployment's traffic to the fallbacks: users notice only through the route's error rate.
        out.push({
          subject: s.id,
          severity: 'warning',
          summary: `circuit breaker of deployment ${s.id} (group ${s.group}) is ${s.breaker === 'closed' ? 'flapping (opened and closed since last check)' : s.breaker}; fallbacks take its traffic`,
          labels: { group: s.group, deployment: s.id, state: s.breaker, ...(s.lastErrorKind ? { last_error: s.lastErrorKind } : {}) },
        });
      }
    }
    this.latched.clear();
    return out;
  }
}

/**
 * Error rate above the threshold over the configured window, once `minRequests` were seen: a
 * route's (requests after every fallback: what users see, critical) and a model group's
 * (upstream attempts on its deployments: what fallbacks absorb, warning). The `seen_by` label
 * says which.
 */
export class ErrorRateRule implements AlertRule {
  readonly name = 'error_rate';
  constructor(private readonly sla: SlaTracker, private readonly config: ResolvedOpsConfig) {}

  evaluate(now: number): AlertCondition[] {
    const { window, minRequests, errorRateThreshold } = this.config.alerts;
    const out: AlertCondition[] = [];
    for (const scope of ['routes', 'groups'] as const satisfies readonly SlaScope[]) {
      const kind = scope === 'routes' ? 'route' : 'group';
      for (const key of this.sla.keys(scope)) {
        const f = this.sla.figures(scope, key, window, now);
        if (f.requests < minRequests || f.errorRate === null || f.errorRate <= errorRateThreshold) continue;
        const users = scope === 'routes';
        out.push({
          subject: `${kind}/${key}`,
          severity: users ? 'critical' : 'warning',
          summary: users
            ? `route ${key} fails ${pct(f.errorRate)} of requests over ${window} (${f.errors}/${f.requests}), above ${pct(errorRateThreshold)}: users see these errors`
            : `deployments of group ${key} fail ${pct(f.errorRate)} of attempts over ${window} (${f.errors}/${f.requests}), above ${pct(errorRateThreshold)}: fallbacks absorb them`,
          value: f.errorRate,
          threshold: errorRateThreshold,
          labels: { [kind]: key, window, seen_by: users ? 'users' : 'fallbacks' },
        });
      }
    }
    return out;
  }
}

/** Route p95 latency above the threshold over the configured window, once `minRequests` were seen. */
export class LatencyP95Rule implements AlertRule {
  readonly name = 'latency_p95';
  constructor(private readonly sla: SlaTracker, private readonly config: ResolvedOpsConfig) {}

  evaluate(now: number): AlertCondition[] {
    const { window, minRequests, latencyP95ThresholdMs } = this.config.alerts;
    const out: AlertCondition[] = [];
    for (const route of this.sla.keys('routes')) {
      const f = this.sla.figures('routes', route, window, now);
      if (f.requests < minRequests || f.p95Ms === null || f.p95Ms <= latencyP95ThresholdMs) continue;
      out.push({
        subject: `route/${route}`,
        severity: 'warning',
        summary: `p95 latency of route ${route} is ${Math.round(f.p95Ms)} ms over ${window}, above ${latencyP95ThresholdMs} ms`,
        value: f.p95Ms,
        threshold: latencyP95ThresholdMs,
        labels: { route, window },
      });
    }
    return out;
  }
}

/**
 * Every deployment of a primary group (first in some route's chain) is open/isolated, ejected,
 * or half-open: a half-open breaker is probing, not recovered, so one outage stays one alert
 * instead of resolving and firing again at every probe.
 */
export class PrimaryUnavailableRule implements AlertRule {
  readonly name = 'primary_unavailable';
  private readonly primaries: ReadonlySet<string>;
  constructor(private readonly states: DeploymentStates, private readonly config: ResolvedOpsConfig) {
    this.primaries = primaryGroups(config);
  }

  evaluate(): AlertCondition[] {
    const out: AlertCondition[] = [];
    for (const group of this.primaries) {
      const members = this.states.members(group);
      if (members.size === 0 || this.recovered(members)) continue;
      const routes = Object.entries(this.config.routes).filter(([, r]) => r.chain[0] === group).map(([name]) => name);
      out.push({
        subject: group,
        severity: 'warning',
        summary: `primary model group ${group} has no usable deployment (${members.size} open, probing or ejected); routes ${routes.join(', ')} are on fallbacks`,
        value: 0,
        labels: { group, routes: routes.join(',') },
      });
    }
    return out;
  }

  private recovered(members: Iterable<string>): boolean {
    for (const id of members) {
      const state = this.states.get(id);
      if (state && isUsable(state) && state.breaker !== 'half-open') return true;
    }
    return false;
  }
}

/** Multi-window multi-burn-rate SLO alerts per route, for availability and latency objectives. */
export class SloBurnRateRule implements AlertRule {
  readonly name = 'slo_burn_rate';
  constructor(private readonly burn: BurnRateTracker, private readonly config: ResolvedOpsConfig) {}

  evaluate(now: number): AlertCondition[] {
    const out: AlertCondition[] = [];
    const { burnRates } = this.config.slo;
    for (const route of this.burn.routeNames()) {
      const objective = objectiveFor(this.config, route);
      const kinds: Array<[SloKind, number]> = [['availability', objective.availabilityPercent], ['latency', objective.latencyPercent]];
      for (const [kind, target] of kinds) {
        for (const s of this.burn.evaluate(route, kind, target, burnRates, 1, now)) {
          if (!s.firing) continue;
          const what = kind === 'availability' ? `${target}% availability` : `${target}% under ${objective.latencyThresholdMs} ms`;
          out.push({
            subject: `${route}/${kind}/${s.pair.name}`,
            severity: s.pair.severity === 'page' ? 'critical' : 'warning',
            summary: `route ${route} burns its ${what} budget at ${s.longRate!.toFixed(1)}x (long) / ${s.shortRate!.toFixed(1)}x (short), above ${s.pair.factor}x`,
            value: s.longRate!,
            threshold: s.pair.factor,
            labels: { route, slo: kind, windows: s.pair.name, severity: s.pair.severity },
          });
        }
      }
    }
    return out;
  }
}

/**
 * Fires while a dependency the gateway reports on (e.g. the shared-state Redis) is down: the
 * gateway keeps answering on local state, but the replicas no longer share breakers, limits and
 * cache until it is back. Fed by `observe.dependency(name, up, detail)`.
 */
export class DependencyDownRule implements AlertRule {
  readonly name = 'dependency_down';
  private readonly down = new Map<string, string>();

  /** Records a dependency's status (O(1)); `detail` says why it is down. */
  set(dependency: string, up: boolean, detail = ''): void {
    if (up) this.down.delete(dependency);
    else this.down.set(dependency, detail);
  }

  evaluate(): AlertCondition[] {
    return [...this.down].map(([dependency, detail]) => ({
      subject: dependency,
      severity: 'warning' as const,
      summary: `${dependency} is unreachable${detail ? ` (${detail})` : ''}: replicas decide on local state until it is back`,
      labels: { dependency },
    }));
  }
}
