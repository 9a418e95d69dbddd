import type { DeploymentView, RouterInspection } from '../../llm/router/router-control.js';
import type { HealthCheck, HealthReport, HealthSnapshot } from '../../ops/health.js';

/** The router's routes (implicit ones left out) as ops' health input. */
export function healthSnapshotOf(inspection: RouterInspection): HealthSnapshot {
  return {
    routes: inspection.routes.filter((r) => !r.implicit).map((route) => ({
      name: route.name,
      required: route.required,
      hasDefaultResponse: route.hasDefaultResponse,
      groups: route.chain.map((g) => ({
        name: g.group,
        deployments: g.deployments.map((d) => ({
          id: d.id,
          breaker: d.breaker,
          // A drained deployment takes no traffic either: health counts it as out of rotation.
          ejected: d.ejected || d.drained,
          ...(d.lastErrorKind ? { lastErrorKind: d.lastErrorKind } : {}),
        })),
      })),
    })),
  };
}

/**
 * Adds `id:last-error` to the report for each deployment that has failed at least once: the
 * error kind (never a message) and when it happened. Informational: status pass.
 */
export function withLastErrors(report: HealthReport, inspection: RouterInspection): HealthReport {
  const checks: Record<string, HealthCheck[]> = { ...report.checks };
  for (const route of inspection.routes) {
    if (route.implicit) continue;
    for (const group of route.chain) {
      for (const d of group.deployments) {
        if (d.lastErrorKind === undefined || d.lastErrorAt === undefined) continue;
        checks[`${d.id}:last-error`] = [{
          componentId: d.id, componentType: 'deployment', observedValue: d.lastErrorKind, status: 'pass', time: new Date(d.lastErrorAt).toISOString(),
        }];
      }
    }
  }
  return { ...report, checks };
}

/** Every deployment of the inspection once (chains and fallback lists), in first-seen order. */
export function deploymentsOf(inspection: RouterInspection): DeploymentView[] {
  const seen = new Map<string, DeploymentView>();
  for (const route of inspection.routes) {
    for (const list of [route.chain, route.contextWindowFallbacks, route.contentPolicyFallbacks]) {
      for (const group of list) for (const d of group.deployments) if (!seen.has(d.id)) seen.set(d.id, d);
    }
  }
  return [...seen.values()];
}
