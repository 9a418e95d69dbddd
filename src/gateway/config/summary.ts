import type { GatewayConfig } from './schema.js';
import { usesMock } from './to-router-config.js';

/** A few lines describing a valid config (for `bulwark config check`). Never prints secrets. */
export function summarizeConfig(config: GatewayConfig): string {
  const deployments = Object.values(config.modelGroups).reduce((n, g) => n + g.deployments.length, 0);
  const mocked = Object.entries(config.providers).filter(([, p]) => usesMock(p)).map(([name]) => name);
  const lines = [
    `  listen: ${config.server.host}:${config.server.port}`,
    `  providers: ${Object.keys(config.providers).length}${mocked.length ? ` (served by the embedded mock: ${mocked.join(', ')})` : ''}`,
    `  model groups: ${Object.keys(config.modelGroups).length} (${deployments} deployments)`,
    ...config.routes.map((r) => `  route ${r.name}: ${[...r.chain, ...(r.staleIfError === false ? [] : ['cache']), ...(r.defaultResponse ?? config.defaultResponse ? ['default'] : [])].join(' → ')}`),
    `  breaker: ${config.policies.breaker.failureThreshold} failures, open ${config.policies.breaker.openMs} ms`,
    `  gateway keys: ${config.auth.keys.length}${config.auth.keys.length === 0 ? ' (loopback only)' : ''}; admin key: ${config.auth.adminKeySha256 ? 'yes' : 'no'}`,
  ];
  return lines.join('\n');
}
