import type { RouterConfig } from '../llm/router-config.js';
import type { AlertsConfig, OpsConfig, OpsTopology, SloConfig } from './config.js';

/**
 * The parts of a `bulwark.yaml` ops reads, typed structurally so ops does not import the
 * gateway (layers point down). The gateway's validated config fits as is.
 */
export interface OpsConfigSections {
  modelGroups?: Record<string, { deployments: Array<{ id: string }> }>;
  routes?: Array<{ name: string; chain: string[]; required?: boolean }>;
  alerts?: AlertsConfig;
  slo?: SloConfig;
  health?: {
    probes?: boolean;
    probeIntervalMs?: number | string;
    probeTimeoutMs?: number | string;
    errorRateThreshold?: number;
    latencyP95Ms?: number;
    minRequests?: number;
  };
  /** Tenants given their own metric label (e.g. the tenants of `auth.keys`). */
  tenants?: string[];
}

/** Routes and group membership from a router config (or the gateway config, which has the same fields). */
export function topologyFrom(config: Pick<RouterConfig, 'modelGroups' | 'routes'> | OpsConfigSections): OpsTopology {
  const groups: Record<string, string[]> = {};
  for (const [group, g] of Object.entries(config.modelGroups ?? {})) groups[group] = g.deployments.map((d) => d.id);
  const routes: NonNullable<OpsTopology['routes']> = {};
  for (const r of config.routes ?? []) routes[r.name] = { chain: [...r.chain], required: r.required ?? true };
  return { groups, routes };
}

/**
 * Maps config sections to {@link OpsConfig} (health probe fields are flat in the YAML).
 *
 * @example createOps(opsConfigFrom({ ...gatewayConfig, tenants: keys.map((k) => k.tenant) }), deps)
 */
export function opsConfigFrom(sections: OpsConfigSections): OpsConfig {
  const h = sections.health ?? {};
  return {
    topology: topologyFrom(sections),
    metrics: { tenants: sections.tenants ?? [] },
    ...(sections.slo ? { slo: sections.slo } : {}),
    ...(sections.alerts ? { alerts: sections.alerts } : {}),
    health: { errorRateThreshold: h.errorRateThreshold, latencyP95Ms: h.latencyP95Ms, minRequests: h.minRequests },
    probes: { enabled: h.probes, interval: h.probeIntervalMs, timeout: h.probeTimeoutMs },
  };
}
