import type { IncomingMessage, ServerResponse } from 'node:http';
import { DASHBOARD_CSP, loginPage, type DashboardAsset } from '../../ops/dashboard/dashboard-assets.js';
import { presentedKey } from '../auth.js';
import { ForbiddenError, RouteNotFoundError } from '../errors.js';
import { readBody } from '../http/read-body.js';
import type { RequestContext } from '../http/request-context.js';
import { sendError } from '../http/respond.js';
import type { GatewayServer } from '../http/server.js';
import { DashboardSignInError } from './admin-errors.js';
import type { GatewayOps } from './gateway-ops.js';

/** Largest sign-in form accepted (the form has one field). */
const LOGIN_BODY_LIMIT_BYTES = 4096;
const ASSETS_PREFIX = '/dashboard/assets/';

type Access = 'granted' | 'sign-in' | 'disabled';

/**
 * Who may see the dashboard: like `/admin/*` (open on a gateway without keys, which only listens
 * on loopback; disabled when keys exist but no admin key), plus a browser session obtained by
 * exchanging the admin key once, because a page cannot send an Authorization header on its own.
 */
function accessOf(req: IncomingMessage, server: GatewayServer, ops: GatewayOps): Access {
  const keys = server.settings.keys;
  if (!keys.hasAdminKey) return keys.required ? 'disabled' : 'granted';
  if (keys.isAdmin(presentedKey(req.headers))) return 'granted';
  const digest = ops.gatewayConfig.auth.adminKeySha256;
  return digest !== undefined && ops.sessions.valid(req.headers, digest) ? 'granted' : 'sign-in';
}

function sendAsset(req: IncomingMessage, res: ServerResponse, context: RequestContext, asset: DashboardAsset, status = 200, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = {
    'content-type': asset.contentType, etag: asset.etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff',
    'x-request-id': context.requestId, ...extra,
  };
  if (status === 200 && req.headers['if-none-match'] === asset.etag) {
    context.status = 304;
    res.writeHead(304, headers);
    res.end();
    return;
  }
  context.status = status;
  headers['content-length'] = String(asset.body.length);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

function redirect(res: ServerResponse, context: RequestContext, location: string, cookie?: string): void {
  context.status = 303;
  const headers: Record<string, string> = { location, 'cache-control': 'no-store', 'content-length': '0', 'x-request-id': context.requestId };
  if (cookie) headers['set-cookie'] = cookie;
  res.writeHead(303, headers);
  res.end();
}

const PAGE_HEADERS = { 'content-security-policy': DASHBOARD_CSP, 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };

/**
 * `GET /dashboard` (the page, or the sign-in form), `POST /dashboard/login`, `GET /dashboard/events`
 * (Server-Sent Events) and `GET /dashboard/assets/*` (script, styles, uPlot; public, no data).
 * `GET /dashboard?key=ADMIN_KEY` signs in and redirects to the bare URL, so the key does not stay
 * in the address bar.
 */
export function registerDashboardRoutes(server: GatewayServer, ops: GatewayOps): void {
  const signIn = (res: ServerResponse, context: RequestContext, key: string | null, req: IncomingMessage) => {
    const digest = ops.gatewayConfig.auth.adminKeySha256;
    if (key !== null && digest !== undefined && server.settings.keys.isAdmin(key)) {
      redirect(res, context, '/dashboard', ops.sessions.issue(digest));
      return;
    }
    sendAsset(req, res, context, loginPage(key !== null), key !== null ? 401 : 200, PAGE_HEADERS);
  };

  server.routes.add({
    method: 'GET', path: '/dashboard', auth: 'none',
    handler(context, req, res) {
      if (!ops.assets) throw new RouteNotFoundError('GET', '/dashboard');
      const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
      const access = accessOf(req, server, ops);
      if (access === 'disabled') throw new ForbiddenError('The dashboard is disabled: configure auth.adminKeySha256');
      if (query.has('key')) {
        if (access === 'granted' && !server.settings.keys.hasAdminKey) redirect(res, context, '/dashboard');
        else signIn(res, context, query.get('key'), req);
        return;
      }
      if (access === 'sign-in') signIn(res, context, null, req);
      else sendAsset(req, res, context, ops.assets.page, 200, PAGE_HEADERS);
    },
  });

  server.routes.add({
    method: 'POST', path: '/dashboard/login', auth: 'none',
    async handler(context, req, res) {
      const body = await readBody(req, LOGIN_BODY_LIMIT_BYTES);
      if (!server.settings.keys.hasAdminKey) {
        if (server.settings.keys.required) throw new ForbiddenError('The dashboard is disabled: configure auth.adminKeySha256');
        redirect(res, context, '/dashboard');
        return;
      }
      signIn(res, context, new URLSearchParams(body.toString('utf8')).get('key') ?? '', req);
    },
  });

  server.routes.add({
    method: 'GET', path: '/dashboard/events', auth: 'none',
    handler(context, req, res) {
      const access = accessOf(req, server, ops);
      if (access === 'disabled') throw new ForbiddenError('The dashboard is disabled: configure auth.adminKeySha256');
      if (access === 'sign-in') throw new DashboardSignInError();
      context.status = 200;
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': context.requestId });
        res.end();
        return;
      }
      ops.feed.connect(res, { 'x-request-id': context.requestId });
    },
  });

  server.routes.add({
    method: 'GET', path: `${ASSETS_PREFIX}*`, auth: 'none',
    handler(context, req, res) {
      const asset = ops.assets?.get(context.path.slice(ASSETS_PREFIX.length));
      if (!asset) {
        sendError(res, context, new RouteNotFoundError('GET', context.path));
        return;
      }
      sendAsset(req, res, context, asset);
    },
  });
}
