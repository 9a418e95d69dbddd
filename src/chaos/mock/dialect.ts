/**
 * What the mock server needs from one endpoint of an API (OpenAI Chat Completions, Responses,
 * Embeddings…, Anthropic Messages, count_tokens…): parse a request, write answers, stream events
 * and errors in that API's own wire format.
 */
import type { MockReply, MockTurn } from './answer.js';
import type { MockState } from './mock-state.js';

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

/** What an endpoint may read besides the request: where it was sent and what the mock remembers. */
export interface MockContext {
  /** The path deployment (`/deployments/<name>/…`), if any. */
  readonly deployment: string | undefined;
  /** Stored responses and prompt-cache prefixes (per deployment). */
  readonly state: MockState;
  /** Model ids the mock lists (and `GET /v1/models/{id}` finds). */
  readonly models: readonly string[];
  /** What the path said, for APIs that name the model and streaming there (Gemini, Bedrock). */
  readonly route?: { readonly model: string; readonly stream: boolean };
}

/** A request refused before any fault is drawn (unknown id, bad parameter), with the API's details. */
export interface MockRejection {
  readonly kind: MockErrorKind;
  readonly message: string;
  /** OpenAI `param` / `code` of the error (ignored by Anthropic's format). */
  readonly param?: string | null;
  readonly code?: string | null;
}

/** True when `parse` refused the request with details (a plain string is an invalid_request message). */
export function isRejection(value: MockTurn | MockRejection | string): value is MockRejection {
  return typeof value === 'object' && 'kind' in value;
}

export interface MockDialect {
  /** The API family: its error format and request-id header. */
  readonly name: 'openai' | 'anthropic' | 'gemini' | 'bedrock';
  /** The response header carrying the request id (`x-request-id`, `request-id`). */
  readonly requestIdHeader: string;
  /**
   * Parses a JSON body (for GET and DELETE endpoints: `{ id }` from the path); a string is the
   * message of an invalid_request error. `context` is absent in the socket-free mock.
   */
  parse(body: unknown, context?: MockContext): MockTurn | MockRejection | string;
  /** The id of a tool call in this dialect (`call_…`, `toolu_…`). */
  toolCallId(ids: MockIds): string;
  /** The complete non-streaming response body (may store it in `context.state`). */
  responseBody(turn: MockTurn, reply: MockReply, ids: MockIds, context?: MockContext): string;
  /** Every SSE event of the streamed response, each already framed (ends with a blank line). */
  streamEvents(turn: MockTurn, reply: MockReply, ids: MockIds, context?: MockContext): string[];
  /**
   * An error body; `requestId` is echoed where the dialect carries one; `detail` fills OpenAI's
   * `param`/`code`; `retryAfterMs` is the wait hint of a rate limit (Gemini puts it in the body).
   */
  errorBody(kind: MockErrorKind, message: string, requestId: string, detail?: Pick<MockRejection, 'param' | 'code'>, retryAfterMs?: number): string;
  /** The HTTP status of an error of this API. Default {@link MOCK_ERROR_STATUS}. */
  errorStatus?(kind: MockErrorKind): number;
  /** Extra headers of an error answer (Bedrock names the exception in `x-amzn-errortype`). */
  errorHeaders?(kind: MockErrorKind): Record<string, string>;
  /** Content type of a streamed answer. Default `text/event-stream`. */
  readonly streamContentType?: string;
  /** How `streamEvents` strings become bytes: `latin1` for binary framing (one char = one byte). Default `utf8`. */
  readonly streamEncoding?: 'utf8' | 'latin1';
  /** Garbles one stream event for the `malformed` fault. Default {@link garbleEvent} (SSE). */
  garble?(event: string): string;
  /** The context-length message, in this API's words. */
  contextLengthMessage(promptTokens: number, maxTokens: number): string;
  /** `GET /v1/models` body. */
  modelsBody(models: readonly string[], createdSeconds: number): string;
  /** `GET /v1/models/{id}` body. */
  modelBody(id: string, createdSeconds: number): string;
  /** The 404 message for a model id the mock does not list. */
  unknownModel(id: string): MockRejection;
}

/** Garbles one SSE event: its JSON data is cut in half (the framing stays, so parsers reach it). */
export function garbleEvent(event: string): string {
  const start = event.indexOf('data: ') + 6;
  const json = event.slice(start).trimEnd();
  return `${event.slice(0, start)}${json.slice(0, json.length >> 1)}\n\n`;
}

/** The HTTP status of an error of `kind` in this API. */
export function errorStatusOf(dialect: MockDialect, kind: MockErrorKind): number {
  return dialect.errorStatus?.(kind) ?? MOCK_ERROR_STATUS[kind];
}

/** The headers of an error answer besides its content type and length: request id, the API's own, Retry-After. */
export function errorHeadersOf(dialect: MockDialect, kind: MockErrorKind, requestId: string, retryAfterMs?: number): Record<string, string> {
  const headers: Record<string, string> = { [dialect.requestIdHeader]: requestId, ...dialect.errorHeaders?.(kind) };
  if (retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
    headers['retry-after-ms'] = String(Math.round(retryAfterMs));
  }
  if (kind === 'overloaded' && dialect.name === 'anthropic') headers['x-should-retry'] = 'true';
  return headers;
}
