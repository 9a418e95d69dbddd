import { BulwarkError, RateLimitedError } from '../../core/errors.js';
import { ANTHROPIC_MESSAGES } from '../dialects/anthropic-messages/dialect.js';
import { toAnthropicErrorBody, toOpenAIErrorBody } from '../dialects/errors.js';
import { ANTHROPIC_COUNT_TOKENS } from '../dialects/anthropic-count-tokens/dialect.js';
import { OPENAI_CHAT } from '../dialects/openai-chat/dialect.js';
import { OPENAI_COMPLETIONS } from '../dialects/openai-completions/dialect.js';
import { OPENAI_EMBEDDINGS } from '../dialects/openai-embeddings/dialect.js';
import { responsesStreamError } from '../dialects/openai-responses/codec.js';
import { OPENAI_RESPONSES } from '../dialects/openai-responses/dialect.js';
import type { ResponseOwners } from '../dialects/openai-responses/response-owners.js';
import { ResponsesExchange } from '../dialects/openai-responses/responses-exchange.js';
import type { Clock } from '../../core/clock.js';
import type { Exchange, HeaderMap } from '../exchange.js';
import type { ScannedObject } from '../dialects/json-scan.js';
import type { WireAnswer } from '../dialects/wire/wire-answer.js';
import type { WireDialect } from '../dialects/wire/wire-dialect.js';
import { AllFallbacksFailedError, LlmError } from '../errors.js';
import { formatSseJson } from '../sse.js';

/** One API the fetch wrapper intercepts: its wire dialect, and how its errors are written. */
export interface FetchDialect {
  readonly name: 'openai' | 'anthropic';
  /** How requests pass to deployments and answers come back (see `dialects/wire`). */
  readonly wire: WireDialect;
  errorBody(error: unknown): unknown;
  /** The in-stream error event that ends a broken stream (never a clean end). */
  streamErrorEvent(error: unknown): string;
  /** Builds the exchange when the API needs more than a {@link WireExchange} (Responses: stored-state pinning). */
  open?(body: Buffer, scanned: ScannedObject, headers: HeaderMap, clock: Clock, owners: ResponseOwners): Promise<Exchange<WireAnswer, Buffer>>;
}

/** OpenAI Chat Completions (`POST …/chat/completions`). */
export const OPENAI_FETCH_DIALECT: FetchDialect = Object.freeze({
  name: 'openai' as const,
  wire: OPENAI_CHAT,
  errorBody: (error: unknown) => toOpenAIErrorBody(error),
  streamErrorEvent: (error: unknown) => formatSseJson(toOpenAIErrorBody(error)),
});

/** Anthropic Messages (`POST …/messages`). */
export const ANTHROPIC_FETCH_DIALECT: FetchDialect = Object.freeze({
  name: 'anthropic' as const,
  wire: ANTHROPIC_MESSAGES,
  errorBody: (error: unknown) => toAnthropicErrorBody(error),
  streamErrorEvent: (error: unknown) => formatSseJson(toAnthropicErrorBody(error), 'error'),
});

/** An OpenAI endpoint other than chat, passed through the same way (errors in OpenAI's format). */
function openaiEndpoint(wire: WireDialect, streamErrorEvent = OPENAI_FETCH_DIALECT.streamErrorEvent): FetchDialect {
  return Object.freeze({ ...OPENAI_FETCH_DIALECT, wire, streamErrorEvent });
}

/** OpenAI Responses (`POST …/responses`): a follow-up of a response relayed here stays on its deployment. */
export const OPENAI_RESPONSES_FETCH_DIALECT: FetchDialect = Object.freeze({
  ...openaiEndpoint(OPENAI_RESPONSES, responsesStreamError),
  open: (body: Buffer, scanned: ScannedObject, headers: HeaderMap, clock: Clock, owners: ResponseOwners) => ResponsesExchange.open(body, scanned, headers, clock, owners),
});

/** The POST endpoints intercepted, by the end of their path (the longest first). */
const BY_PATH: ReadonlyArray<readonly [string, FetchDialect]> = [
  ['/chat/completions', OPENAI_FETCH_DIALECT],
  ['/responses', OPENAI_RESPONSES_FETCH_DIALECT],
  ['/embeddings', openaiEndpoint(OPENAI_EMBEDDINGS)],
  ['/completions', openaiEndpoint(OPENAI_COMPLETIONS)],
  ['/messages/count_tokens', Object.freeze({ ...ANTHROPIC_FETCH_DIALECT, wire: ANTHROPIC_COUNT_TOKENS })],
  ['/messages', ANTHROPIC_FETCH_DIALECT],
];

/** The dialect whose endpoint `pathname` is, or undefined. */
export function dialectForPath(pathname: string): FetchDialect | undefined {
  const path = pathname.replace(/\/+$/, '');
  for (const [suffix, dialect] of BY_PATH) if (path.endsWith(suffix)) return dialect;
  return undefined;
}

/** The HTTP status a caller sees for `error` (Bulwark errors carry theirs; anything else is 500). */
export function statusOf(error: unknown): number {
  return error instanceof BulwarkError ? error.status : 500;
}

/** Seconds for a `Retry-After` header, when the error says how long to wait. */
export function retryAfterSeconds(error: unknown): number | undefined {
  let ms: number | undefined;
  if (error instanceof RateLimitedError || error instanceof LlmError) ms = error.retryAfterMs;
  else if (error instanceof AllFallbacksFailedError && error.lastError instanceof LlmError) ms = error.lastError.retryAfterMs;
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000));
}
