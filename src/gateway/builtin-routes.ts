import type { Clock } from '../core/clock.js';
import { chatHandler } from './chat-handler.js';
import { anthropicDialect, openaiDialect } from './dialect.js';
import { sendJson } from './http/respond.js';
import type { GatewayServer } from './http/server.js';
import type { RouterSlot } from './router-slot.js';
import type { ChatObserver } from './ops/chat-observer.js';
import { registerEndpointRoutes } from './endpoints/endpoint-routes.js';
import type { ResponseOwners } from '../llm/dialects/openai-responses/response-owners.js';

/** What the built-in endpoints read. */
export interface BuiltinRouteDeps {
  server: GatewayServer;
  slot: RouterSlot;
  clock: Clock;
  /** Unix seconds shown as `created` in `GET /v1/models`. */
  startedAtSeconds: number;
  /** Ops: in-flight requests per route and the gateway's own time. */
  observer?: ChatObserver;
  /** Where each stored OpenAI Response lives (see `endpoints/endpoint-routes.ts`). */
  responseOwners: ResponseOwners;
}

/** Probe answers are never cached by a proxy in between. */
const PROBE_HEADERS = { 'cache-control': 'no-store' };

/**
 * Registers the LLM endpoints and the minimal probes: `POST /v1/chat/completions`,
 * `POST /v1/messages`, the endpoints of `endpoints/endpoint-routes.ts` (Responses, embeddings,
 * completions, count_tokens, `GET /v1/models/{id}`), `GET /v1/models`, `GET /livez`,
 * `GET /readyz`. Ops adds `/health`, `/metrics`, `/dashboard` and `/admin/*` on the same table.
 */
export function registerBuiltinRoutes(deps: BuiltinRouteDeps): void {
  const { server, slot } = deps;
  const chatDeps = { slot, clock: deps.clock, bodyLimitBytes: () => server.settings.bodyLimitBytes, observer: deps.observer };
  server.routes.add({ method: 'POST', path: '/v1/chat/completions', auth: 'client', dialect: 'openai', handler: chatHandler(openaiDialect, chatDeps) });
  server.routes.add({ method: 'POST', path: '/v1/messages', auth: 'client', dialect: 'anthropic', handler: chatHandler(anthropicDialect, chatDeps) });
  registerEndpointRoutes({ server, slot, clock: deps.clock, responseOwners: deps.responseOwners, startedAtSeconds: deps.startedAtSeconds, observer: deps.observer });

  server.routes.add({
    method: 'GET', path: '/v1/models', auth: 'client',
    handler(context, req, res) {
      const names = slot.router.models();
      const body = req.headers['anthropic-version'] !== undefined
        ? anthropicModelList(names, deps.startedAtSeconds)
        : { object: 'list', data: names.map((id) => ({ id, object: 'model', created: deps.startedAtSeconds, owned_by: 'bulwark' })) };
      sendJson(res, context, 200, JSON.stringify(body));
    },
  });

  // Liveness depends on nothing external: the process answers.
  server.routes.add({
    method: 'GET', path: '/livez', auth: 'none',
    handler(context, _req, res) {
      sendJson(res, context, 200, '{"status":"ok"}', PROBE_HEADERS);
    },
  });

  // Readiness = this process can answer: a config is loaded (the slot holds a router) and it is
  // not draining. Never upstream health: in a provider outage every pod would leave the Service
  // at once and the cache and default answers would reach no one (upstreams: /health, metrics).
  server.routes.add({
    method: 'GET', path: '/readyz', auth: 'none',
    handler(context, _req, res) {
      if (server.isDraining) sendJson(res, context, 503, '{"status":"draining","reason":"the gateway is shutting down"}', PROBE_HEADERS);
      else sendJson(res, context, 200, `{"status":"ready","configGeneration":${slot.generation}}`, PROBE_HEADERS);
    },
  });
}

function anthropicModelList(names: string[], createdSeconds: number) {
  const createdAt = new Date(createdSeconds * 1000).toISOString();
  const data = names.map((id) => ({ type: 'model', id, display_name: id, created_at: createdAt }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
