/**
 * The gateway's endpoints beyond chat: OpenAI `POST /v1/responses`, `GET`/`DELETE
 * /v1/responses/{id}`, `POST /v1/embeddings`, `POST /v1/completions`, `GET /v1/models/{id}`;
 * Anthropic `POST /v1/messages/count_tokens` and `GET /v1/models/{id}` (with
 * `anthropic-version`). Each POST passes through to a deployment of its own API through the chat
 * handler, with the route's full resilience (see docs/gateway.md, "Endpoints beyond chat").
 */
import type { Clock } from '../../core/clock.js';
import { ANTHROPIC_COUNT_TOKENS } from '../../llm/dialects/anthropic-count-tokens/dialect.js';
import { OPENAI_COMPLETIONS } from '../../llm/dialects/openai-completions/dialect.js';
import { OPENAI_EMBEDDINGS } from '../../llm/dialects/openai-embeddings/dialect.js';
import { responsesStreamError } from '../../llm/dialects/openai-responses/codec.js';
import { OPENAI_RESPONSES } from '../../llm/dialects/openai-responses/dialect.js';
import type { ResponseOwners } from '../../llm/dialects/openai-responses/response-owners.js';
import { explainFailure, ResponsesExchange } from '../../llm/dialects/openai-responses/responses-exchange.js';
import { StoredResponseExchange } from '../../llm/dialects/openai-responses/stored-response-exchange.js';
import { UnknownModelError } from '../../llm/errors.js';
import { answerExchange, chatHandler, type ChatHandlerDeps } from '../chat-handler.js';
import { anthropicDialect, openaiDialect, type GatewayDialect } from '../dialect.js';
import { RouteNotFoundError, UnknownResponseError } from '../errors.js';
import { sendJson } from '../http/respond.js';
import type { GatewayServer } from '../http/server.js';
import type { RouterSlot } from '../router-slot.js';
import type { ChatObserver } from '../ops/chat-observer.js';

/** What the endpoints read. */
export interface EndpointRouteDeps {
  server: GatewayServer;
  slot: RouterSlot;
  clock: Clock;
  /** Where each stored Response lives (one per gateway: it outlives reloads). */
  responseOwners: ResponseOwners;
  /** Unix seconds shown as `created` in model objects. */
  startedAtSeconds: number;
  observer?: ChatObserver;
}

/** The POST paths that spend upstream capacity (load shedding wraps them like chat). */
export const PASS_THROUGH_PATHS: readonly string[] = Object.freeze(['/v1/responses', '/v1/embeddings', '/v1/completions', '/v1/messages/count_tokens']);

/** OpenAI Responses: OpenAI's errors, and its own in-stream `error` event. */
const responsesDialect: GatewayDialect = Object.freeze({ ...openaiDialect, wire: OPENAI_RESPONSES, streamErrorEvent: responsesStreamError });
const embeddingsDialect: GatewayDialect = Object.freeze({ ...openaiDialect, wire: OPENAI_EMBEDDINGS });
const completionsDialect: GatewayDialect = Object.freeze({ ...openaiDialect, wire: OPENAI_COMPLETIONS });
const countTokensDialect: GatewayDialect = Object.freeze({ ...anthropicDialect, wire: ANTHROPIC_COUNT_TOKENS });

const RESPONSES_PREFIX = '/v1/responses/';
const MODELS_PREFIX = '/v1/models/';

/** Registers the endpoints (see the module comment) on `deps.server`. */
export function registerEndpointRoutes(deps: EndpointRouteDeps): void {
  const { server, slot, clock, responseOwners } = deps;
  const chatDeps: ChatHandlerDeps = { slot, clock, bodyLimitBytes: () => server.settings.bodyLimitBytes, observer: deps.observer };

  server.routes.add({
    method: 'POST', path: '/v1/responses', auth: 'client', dialect: 'openai',
    handler: chatHandler(responsesDialect, chatDeps, {
      open: (body, scanned, req) => ResponsesExchange.open(body, scanned, req.headers, clock, responseOwners),
      explain: (error, exchange) => explainFailure(exchange, error),
    }),
  });
  server.routes.add({ method: 'POST', path: '/v1/embeddings', auth: 'client', dialect: 'openai', handler: chatHandler(embeddingsDialect, chatDeps) });
  server.routes.add({ method: 'POST', path: '/v1/completions', auth: 'client', dialect: 'openai', handler: chatHandler(completionsDialect, chatDeps) });
  server.routes.add({ method: 'POST', path: '/v1/messages/count_tokens', auth: 'client', dialect: 'anthropic', handler: chatHandler(countTokensDialect, chatDeps) });

  for (const method of ['GET', 'DELETE'] as const) {
    server.routes.add({
      method, path: `${RESPONSES_PREFIX}*`, auth: 'client', dialect: 'openai',
      async handler(context, req, res) {
        req.resume();
        const id = pathId(context.path, RESPONSES_PREFIX);
        // Sub-resources (`/input_items`, `/cancel`) are not served.
        if (id === undefined) throw new RouteNotFoundError(method, context.path);
        const owner = await responseOwners.owner(id);
        if (owner === undefined) throw new UnknownResponseError(id);
        const exchange = new StoredResponseExchange(method, { id, ...owner }, req.headers, responseOwners);
        await answerExchange(context, res, exchange, responsesDialect, chatDeps, (error) => explainFailure(exchange, error));
      },
    });
  }

  server.routes.add({
    method: 'GET', path: `${MODELS_PREFIX}*`, auth: 'client',
    handler(context, req, res) {
      const id = pathId(context.path, MODELS_PREFIX, true);
      if (id === undefined || !slot.router.models().includes(id)) throw new UnknownModelError(id ?? '');
      const body = req.headers['anthropic-version'] !== undefined
        ? { type: 'model', id, display_name: id, created_at: new Date(deps.startedAtSeconds * 1000).toISOString() }
        : { id, object: 'model', created: deps.startedAtSeconds, owned_by: 'bulwark' };
      sendJson(res, context, 200, JSON.stringify(body));
    },
  });
}

/** The percent-decoded id after `prefix` (one path segment unless `slashes`), or undefined. */
function pathId(path: string, prefix: string, slashes = false): string | undefined {
  const rest = path.slice(prefix.length);
  if (rest === '' || (!slashes && rest.includes('/'))) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}
