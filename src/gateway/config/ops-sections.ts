import type { OpsConfigSections } from '../../ops/config-sections.js';
import type { GatewayConfig } from './schema.js';

/** The config sections ops is built from (a reload that changes them rebuilds ops); `config check` resolves the same. */
export function opsSections(config: GatewayConfig): OpsConfigSections {
  return {
    modelGroups: config.modelGroups,
    routes: config.routes,
    alerts: config.alerts as OpsConfigSections['alerts'],
    slo: config.slo,
    health: config.health,
    tenants: [...new Set(config.auth.keys.map((k) => k.tenant))],
  };
}
