import type { RouterControl } from '../../llm/router/router-control.js';
import { sendJson } from '../http/respond.js';
import type { GatewayServer } from '../http/server.js';
import { UnknownAdminActionError, UnknownDeploymentError } from './admin-errors.js';
import type { GatewayOps } from './gateway-ops.js';
import { deploymentsOf } from './router-views.js';

/** `POST /admin/deployments/:id/<action>` → the router control it calls. */
export const ADMIN_DEPLOYMENT_ACTIONS = Object.freeze({
  open: (r: RouterControl, id: string) => r.forceOpen(id),
  close: (r: RouterControl, id: string) => r.forceClosed(id),
  release: (r: RouterControl, id: string) => r.release(id),
  drain: (r: RouterControl, id: string) => r.drain(id),
  undrain: (r: RouterControl, id: string) => r.undrain(id),
} as const);

type AdminAction = keyof typeof ADMIN_DEPLOYMENT_ACTIONS;
const ACTIONS = Object.keys(ADMIN_DEPLOYMENT_ACTIONS) as AdminAction[];
const DEPLOYMENTS_PREFIX = '/admin/deployments/';
const NO_STORE = { 'cache-control': 'no-store' };

/**
 * The admin API (admin key when keys are configured; open on a loopback-only gateway without
 * keys): `GET /admin/breakers`, `POST /admin/deployments/:id/{open,close,release,drain,undrain,probe}`,
 * `POST /admin/stats/reset`, `GET /admin/sla`, `GET /admin/alerts`. Answers and errors are JSON.
 */
export function registerAdminRoutes(server: GatewayServer, ops: GatewayOps): void {
  server.routes.add({
    method: 'GET', path: '/admin/breakers', auth: 'admin',
    handler(context, _req, res) {
      const inspection = ops.router.inspect();
      const isolated = ops.isolation.isolatedIds;
      const deployments = deploymentsOf(inspection).map((d) => ({
        id: d.id, group: d.group, provider: d.provider, model: d.model, breaker: d.breaker, breakerRetryAfterMs: d.breakerRetryAfterMs,
        available: d.available, drained: d.drained, ejected: d.ejected, ejectedUntil: d.ejectedUntil ?? null, outstanding: d.outstanding,
        lastErrorKind: d.lastErrorKind ?? null, lastErrorAt: d.lastErrorAt === undefined ? null : new Date(d.lastErrorAt).toISOString(),
        isolatedByProbes: isolated.has(d.id),
      }));
      sendJson(res, context, 200, JSON.stringify({ at: new Date(inspection.at).toISOString(), deployments }), NO_STORE);
    },
  });

  server.routes.add({
    method: 'POST', path: `${DEPLOYMENTS_PREFIX}*`, auth: 'admin',
    async handler(context, req, res) {
      req.resume(); // no body expected: discard whatever came
      const rest = context.path.slice(DEPLOYMENTS_PREFIX.length);
      const slash = rest.lastIndexOf('/');
      const action = slash === -1 ? '' : rest.slice(slash + 1);
      let id: string;
      try {
        id = decodeURIComponent(slash === -1 ? rest : rest.slice(0, slash));
      } catch {
        throw new UnknownDeploymentError(rest);
      }
      const router = ops.router;
      if (id === '' || !router.deploymentIds().includes(id)) throw new UnknownDeploymentError(id);
      if (action === 'probe') {
        const result = await router.probe(id);
        sendJson(res, context, 200, JSON.stringify({ action, result }), NO_STORE);
        return;
      }
      if (!(ACTIONS as string[]).includes(action)) throw new UnknownAdminActionError(action, [...ACTIONS, 'probe']);
      ADMIN_DEPLOYMENT_ACTIONS[action as AdminAction](router, id);
      ops.isolation.operatorTookOver(id);
      server.logger.info({ deployment: id, action, requestId: context.requestId }, 'admin action');
      ops.note({ at: ops.now(), kind: 'admin', subject: id, text: `operator: ${action}`, severity: action === 'open' || action === 'drain' ? 'warning' : 'info' });
      const view = deploymentsOf(router.inspect()).find((d) => d.id === id);
      sendJson(res, context, 200, JSON.stringify({ action, deployment: view ?? { id } }), NO_STORE);
    },
  });

  server.routes.add({
    method: 'POST', path: '/admin/stats/reset', auth: 'admin',
    handler(context, req, res) {
      req.resume();
      ops.resetStats();
      server.logger.info({ requestId: context.requestId }, 'admin: statistics reset');
      ops.note({ at: ops.now(), kind: 'admin', subject: 'stats', text: 'operator: statistics reset', severity: 'info' });
      sendJson(res, context, 200, JSON.stringify({ reset: true, at: new Date(ops.now()).toISOString() }), NO_STORE);
    },
  });

  server.routes.add({
    method: 'GET', path: '/admin/sla', auth: 'admin',
    handler(context, _req, res) {
      sendJson(res, context, 200, JSON.stringify(ops.ops.sla()), NO_STORE);
    },
  });

  server.routes.add({
    method: 'GET', path: '/admin/alerts', auth: 'admin',
    handler(context, _req, res) {
      const alerts = ops.ops.alerts;
      sendJson(res, context, 200, JSON.stringify({ active: alerts.active(), recent: alerts.timeline(), dropped: alerts.dropped() }), NO_STORE);
    },
  });
}
