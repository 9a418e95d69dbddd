import { HEALTH_CONTENT_TYPE } from '../../ops/health.js';
import { sendJson } from '../http/respond.js';
import type { GatewayServer } from '../http/server.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import type { GatewayOps } from './gateway-ops.js';
import { healthSnapshotOf, withLastErrors } from './router-views.js';

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Mounts ops on the gateway's route table: `GET /health` (application/health+json), `GET /metrics`
 * (Prometheus text), the admin API under `/admin/` and the dashboard under `/dashboard`.
 * `GET /livez` and `GET /readyz` stay the built-in ones on purpose: readiness is "this process can
 * answer" (config loaded, not draining), never upstream health — a provider outage that took
 * every pod out of its Service would also cut off the cache and default answers. Upstream health
 * is `/health`, metrics and alerts.
 */
export function registerOpsRoutes(server: GatewayServer, ops: GatewayOps): void {
  server.routes.add({
    method: 'GET', path: '/health', auth: 'none',
    handler(context, _req, res) {
      const inspection = ops.router.inspect();
      const report = withLastErrors(ops.ops.health(healthSnapshotOf(inspection)), inspection);
      sendJson(res, context, ops.ops.healthStatusCode(report), JSON.stringify(report), { 'content-type': HEALTH_CONTENT_TYPE, ...NO_STORE });
    },
  });

  server.routes.add({
    method: 'GET', path: '/metrics', auth: 'none',
    async handler(context, _req, res) {
      const text = await ops.ops.metricsText();
      context.status = 200;
      res.writeHead(200, { 'content-type': ops.ops.metricsContentType, 'content-length': String(Buffer.byteLength(text)), 'x-request-id': context.requestId, ...NO_STORE });
      res.end(text);
    },
  });

  registerAdminRoutes(server, ops);
  registerDashboardRoutes(server, ops);
}
