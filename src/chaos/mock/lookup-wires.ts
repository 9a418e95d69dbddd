/**
 * The mock's endpoints that answer from what it knows rather than from a prompt:
 * `GET /v1/models/{id}` in both dialects and Anthropic `POST /v1/messages/count_tokens`. Faults
 * apply to them like to any other request (the model is the one looked up or counted).
 */
import { lookupTurn } from './answer.js';
import { anthropicWire, parseMessagesBody } from './anthropic-wire.js';
import type { MockDialect } from './dialect.js';
import { openaiWire } from './openai-wire.js';

const noEvents = (): string[] => [];

function modelLookupWire(base: MockDialect): MockDialect {
  return {
    ...base,
    parse(body, context) {
      const id = String((body as { id?: unknown }).id);
      return context?.models.includes(id) ? lookupTurn(id) : base.unknownModel(id);
    },
    responseBody: (turn, _reply, ids) => base.modelBody(turn.model, ids.created),
    streamEvents: noEvents,
  };
}

/** OpenAI `GET /v1/models/{id}`: the model object, or 404 `model_not_found`. */
export const openaiModelWire: MockDialect = modelLookupWire(openaiWire);

/** Anthropic `GET /v1/models/{id}` (the request has `anthropic-version`): the model, or 404 `not_found_error`. */
export const anthropicModelWire: MockDialect = modelLookupWire(anthropicWire);

/**
 * Anthropic `POST /v1/messages/count_tokens`: `{ input_tokens }`, the same count `POST /v1/messages`
 * reports for the same body (cache reads and writes included). The body is checked like a
 * Messages body, without `max_tokens`; nothing is cached by counting.
 */
export const anthropicCountTokensWire: MockDialect = {
  ...anthropicWire,
  parse(body) {
    const turn = parseMessagesBody(body, false);
    return typeof turn === 'string' ? turn : { ...turn, stream: false, cacheBreakpoints: undefined };
  },
  responseBody: (_turn, reply) => `{"input_tokens":${reply.promptTokens}}`,
  streamEvents: noEvents,
};
