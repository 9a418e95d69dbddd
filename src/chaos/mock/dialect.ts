/**
 * What the mock server needs from an API dialect (OpenAI Chat Completions, Anthropic Messages):
 * parse a request, write answers, stream events and errors in that API's own wire format.
 */
import type { MockReply, MockTurn } from './answer.js';

/** The errors the mock can send. HTTP status per kind: {@link MOCK_ERROR_STATUS}. */
export type MockErrorKind = 'rate_limit' | 'server' | 'unavailable' | 'overloaded' | 'auth' | 'context_length' | 'invalid_request' | 'not_found';

/** The HTTP status of each {@link MockErrorKind}. */
export const MOCK_ERROR_STATUS: Readonly<Record<MockErrorKind, number>> = Object.freeze({
  rate_limit: 429,
  server: 500,
  unavailable: 503,
  overloaded: 529,
  auth: 401,
  context_length: 400,
  invalid_request: 400,
  not_found: 404,
});

/** Per-response identifiers, allocated once per request. */
export interface MockIds {
  /** Response id suffix, e.g. `mock-17`. */
  id: string;
  /** Unix seconds. */
  created: number;
}

export interface MockDialect {
  readonly name: 'openai' | 'anthropic';
  /** The response header carrying the request id (`x-request-id`, `request-id`). */
  readonly requestIdHeader: string;
  /** Parses a JSON body; a string is the message of an invalid_request error. */
  parse(body: unknown): MockTurn | string;
  /** The id of a tool call in this dialect (`call_…`, `toolu_…`). */
  toolCallId(ids: MockIds): string;
  /** The complete non-streaming response body. */
  responseBody(turn: MockTurn, reply: MockReply, ids: MockIds): string;
  /** Every SSE event of the streamed response, each already framed (ends with a blank line). */
  streamEvents(turn: MockTurn, reply: MockReply, ids: MockIds): string[];
  /** An error body; `requestId` is echoed where the dialect carries one. */
  errorBody(kind: MockErrorKind, message: string, requestId: string): string;
  /** The context-length message, in this API's words. */
  contextLengthMessage(promptTokens: number, maxTokens: number): string;
  /** `GET /v1/models` body. */
  modelsBody(models: readonly string[], createdSeconds: number): string;
}

/** Garbles one SSE event: its JSON data is cut in half (the framing stays, so parsers reach it). */
export function garbleEvent(event: string): string {
  const start = event.indexOf('data: ') + 6;
  const json = event.slice(start).trimEnd();
  return `${event.slice(0, start)}${json.slice(0, json.length >> 1)}\n\n`;
}
