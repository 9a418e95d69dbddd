import type { BreakerStateName } from '../llm/router-events.js';
import type { ResolvedOpsConfig } from './config.js';
import { breakerBlocks } from './deployment-states.js';
import type { SlaTracker } from './sla.js';

/** Media type of the IETF health-check response format draft. */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

/** The draft's three verdicts. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** What the gateway knows about the router right now: routes → chain of groups → deployments. */
export interface HealthSnapshot {
  routes: Array<{
    name: string;
    /** Required routes decide health: no usable deployment on a required route fails it. Default true. */
    required?: boolean;
    /** The fallback chain, primary first. */
    groups: Array<{
      name: string;
      deployments: Array<{
        id: string;
        breaker: BreakerStateName;
        ejected: boolean;
        /** Last error kind (e.g. `timeout`) — a kind, never a message. */
        lastErrorKind?: string;
      }>;
    }>;
    /** True if the route can still answer without a model (fresh cache, default response). Informational. */
    hasDefaultResponse?: boolean;
  }>;
}

/** One entry of `checks` in the health+json body. */
export interface HealthCheck {
  componentId: string;
  componentType: string;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  status: HealthStatus;
  time: string;
  output?: string;
}

/** The `application/health+json` body (IETF draft-inadarei-api-health-check). */
export interface HealthReport {
  status: HealthStatus;
  version?: string;
  serviceId: string;
  description: string;
  output?: string;
  checks: Record<string, HealthCheck[]>;
}

/** The last active-probe result for a deployment, when probes run. */
export interface ProbeStatus {
  ok: boolean;
  errorKind?: string;
  at: number;
}

/** The HTTP status for a report: 200 for pass and warn, 503 for fail. */
export function healthHttpStatus(report: Pick<HealthReport, 'status'>): 200 | 503 {
  return report.status === 'fail' ? 503 : 200;
}

const worst = (a: HealthStatus, b: HealthStatus): HealthStatus => (a === 'fail' || b === 'fail' ? 'fail' : a === 'warn' || b === 'warn' ? 'warn' : 'pass');

/**
 * Builds the health report: per deployment `id:breaker`, `id:error-rate` and `id:latency`
 * (5-min SLA figures), `id:probe` once a probe ran, per route `route:usable-deployments`. `fail` when a required route has no
 * usable deployment in any group of its chain; `warn` when a deployment is open/ejected, its
 * error rate or p95 is above the health thresholds, or a non-required route is down.
 */
export function buildHealth(
  snapshot: HealthSnapshot,
  sla: SlaTracker,
  config: ResolvedOpsConfig,
  now: number,
  version?: string,
  probeOf: (deployment: string) => ProbeStatus | undefined = () => undefined,
): HealthReport {
  const time = new Date(now).toISOString();
  const checks: Record<string, HealthCheck[]> = {};
  const failing: string[] = [];
  let status: HealthStatus = 'pass';
  const seen = new Set<string>();
  const { errorRateThreshold, latencyP95Ms, minRequests } = config.health;

  for (const route of snapshot.routes) {
    let usable = 0;
    let total = 0;
    for (const group of route.groups) {
      for (const d of group.deployments) {
        total++;
        const blocked = breakerBlocks(d.breaker) || d.ejected;
        if (!blocked) usable++;
        if (seen.has(d.id)) continue;
        seen.add(d.id);
        const breakerStatus: HealthStatus = blocked ? 'warn' : 'pass';
        checks[`${d.id}:breaker`] = [{
          componentId: d.id, componentType: 'deployment', observedValue: d.ejected ? 'ejected' : d.breaker,
          status: breakerStatus, time, ...(blocked && d.lastErrorKind ? { output: `last error: ${d.lastErrorKind}` } : {}),
        }];
        const f = sla.figures('deployments', d.id, '5m', now);
        const enough = f.requests >= minRequests;
        const errorStatus: HealthStatus = enough && f.errorRate !== null && f.errorRate > errorRateThreshold ? 'warn' : 'pass';
        checks[`${d.id}:error-rate`] = [{
          componentId: d.id, componentType: 'deployment', observedValue: f.errorRate === null ? 0 : Number((f.errorRate * 100).toFixed(2)),
          observedUnit: 'percent', status: errorStatus, time,
          ...(errorStatus === 'warn' ? { output: `${f.errors}/${f.requests} attempts failed in 5m${d.lastErrorKind ? `; last error: ${d.lastErrorKind}` : ''}` } : {}),
        }];
        const latencyStatus: HealthStatus = enough && f.p95Ms !== null && f.p95Ms > latencyP95Ms ? 'warn' : 'pass';
        checks[`${d.id}:latency`] = [{
          componentId: d.id, componentType: 'deployment', observedValue: f.p95Ms ?? 0, observedUnit: 'ms (p95, 5m)', status: latencyStatus, time,
          ...(latencyStatus === 'warn' ? { output: `p95 above ${latencyP95Ms} ms` } : {}),
        }];
        status = worst(status, worst(breakerStatus, worst(errorStatus, latencyStatus)));
        const probe = probeOf(d.id);
        if (probe) {
          const probeStatus: HealthStatus = probe.ok ? 'pass' : 'warn';
          checks[`${d.id}:probe`] = [{
            componentId: d.id, componentType: 'deployment', observedValue: probe.ok, status: probeStatus, time: new Date(probe.at).toISOString(),
            ...(!probe.ok && probe.errorKind ? { output: `last probe failed: ${probe.errorKind}` } : {}),
          }];
          status = worst(status, probeStatus);
        }
      }
    }
    const required = route.required ?? true;
    const routeStatus: HealthStatus = usable > 0 ? 'pass' : required ? 'fail' : 'warn';
    if (routeStatus === 'fail') failing.push(route.name);
    checks[`${route.name}:usable-deployments`] = [{
      componentId: route.name, componentType: 'route', observedValue: usable, observedUnit: `of ${total} deployments`, status: routeStatus, time,
      ...(usable === 0 ? { output: `no usable deployment in chain ${route.groups.map((g) => g.name).join(' → ')}${route.hasDefaultResponse ? ' (default response still answers)' : ''}` } : {}),
    }];
    status = worst(status, routeStatus);
  }

  return {
    status,
    ...(version ? { version } : {}),
    serviceId: 'bulwark',
    description: 'Bulwark LLM gateway',
    ...(failing.length > 0 ? { output: `required routes without a usable deployment: ${failing.join(', ')}` } : {}),
    checks,
  };
}
