/**
 * Error bodies in each dialect: what the gateway sends to clients, and how upstream error
 * bodies become `LlmError`s.
 */
import { BulwarkError } from '../../core/errors.js';
import { classifyHttpError, readUpstreamError, type ClassifyOptions } from '../classify.js';
import { AllFallbacksFailedError, LlmError, type LlmErrorKind, type UpstreamErrorAnswer } from '../errors.js';
import type { ApiFamily } from '../exchange.js';
import type { HeaderBag } from '../retry-after.js';
import { isObject } from './check.js';
import type { WireDialect } from './wire/wire-dialect.js';

/** The OpenAI error body: `{error:{message,type,code,param}}`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** The Anthropic error body: `{type:'error',error:{type,message}}`. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

const OPENAI_TYPE_BY_KIND: Record<LlmErrorKind, string> = {
  rate_limited: 'rate_limit_error',
  overloaded: 'server_error',
  server_error: 'server_error',
  timeout: 'timeout_error',
  connection: 'server_error',
  context_length_exceeded: 'invalid_request_error',
  content_filtered: 'invalid_request_error',
  auth: 'server_error',
  bad_request: 'invalid_request_error',
  cancelled: 'invalid_request_error',
  invalid_request: 'invalid_request_error',
  internal: 'server_error',
  gateway_overloaded: 'server_error',
};

const OPENAI_CODE_BY_KIND: Partial<Record<LlmErrorKind, string>> = {
  rate_limited: 'rate_limit_exceeded',
  context_length_exceeded: 'context_length_exceeded',
  content_filtered: 'content_filter',
};

const ANTHROPIC_TYPE_BY_KIND: Record<LlmErrorKind, string> = {
  rate_limited: 'rate_limit_error',
  overloaded: 'overloaded_error',
  server_error: 'api_error',
  timeout: 'timeout_error',
  connection: 'api_error',
  context_length_exceeded: 'invalid_request_error',
  content_filtered: 'invalid_request_error',
  auth: 'api_error',
  bad_request: 'invalid_request_error',
  cancelled: 'invalid_request_error',
  invalid_request: 'invalid_request_error',
  internal: 'api_error',
  gateway_overloaded: 'overloaded_error',
};

function typeForStatus(status: number, openai: boolean): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return openai ? 'invalid_request_error' : 'not_found_error';
  if (status === 413) return openai ? 'invalid_request_error' : 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status < 500) return 'invalid_request_error';
  return openai ? 'server_error' : 'api_error';
}

/** Error types of the Anthropic API (what its SDK maps to its error classes). */
const ANTHROPIC_TYPES = new Set([
  'invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'request_too_large', 'rate_limit_error', 'api_error', 'overloaded_error',
]);

/**
 * The upstream's refusal of the request that `error` is (or, once the whole chain failed, that
 * it ended with): an `LlmError` blamed on the request that carries the upstream's own answer.
 * Undefined for everything else — an upstream failure (5xx, 429, timeout, its credentials) is
 * the gateway's to word, and the gateway's own refusals have no upstream answer.
 */
export function upstreamRefusalOf(error: unknown): (LlmError & { upstreamAnswer: UpstreamErrorAnswer }) | undefined {
  const failure = error instanceof AllFallbacksFailedError ? error.lastError : error;
  if (!(failure instanceof LlmError) || failure.upstreamAnswer === undefined || failure.meaning.blame !== 'request') return undefined;
  return failure as LlmError & { upstreamAnswer: UpstreamErrorAnswer };
}

/**
 * The upstream's error answer exactly as it came, for a client speaking `family` (pass-through
 * first): when `error` is the upstream's refusal of the request ({@link upstreamRefusalOf}), the
 * upstream speaks `family` and its body is a JSON object. Undefined otherwise (the error is
 * written in the client's format instead, keeping the upstream's message, type and code).
 */
export function passedThroughError(error: unknown, family: ApiFamily): UpstreamErrorAnswer | undefined {
  const answer = upstreamRefusalOf(error)?.upstreamAnswer;
  if (answer === undefined || answer.family !== family) return undefined;
  return isObject(parsed(answer.body)) ? answer : undefined;
}

/** The upstream response headers of an upstream's refusal that `wire`'s allow-list hands back (renamed as it says); undefined for other errors. */
export function refusalHeaders(wire: Pick<WireDialect, 'passBack'>, error: unknown): Record<string, string> | undefined {
  const answer = upstreamRefusalOf(error)?.upstreamAnswer;
  if (answer === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    const as = value === undefined ? undefined : wire.passBack(name);
    if (as !== undefined) out[as] = Array.isArray(value) ? value.join(', ') : value!;
  }
  return out;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `param` of an upstream OpenAI error body (`{error:{param}}`), when it names one. */
function upstreamParam(answer: UpstreamErrorAnswer): string | undefined {
  const body = parsed(answer.body);
  const error = isObject(body) && isObject(body.error) ? body.error : undefined;
  return typeof error?.param === 'string' ? error.param : undefined;
}

/**
 * The OpenAI error body for any error. `LlmError` kinds map to OpenAI types and codes — an
 * upstream's refusal keeps the upstream's own type, code and param (an Anthropic one translated);
 * other Bulwark errors use their status and their `BULWARK_ERR_*` code; anything else is a 500
 * with a generic message (internal details never leak).
 *
 * @param param the request field at fault, when known.
 */
export function toOpenAIErrorBody(error: unknown, param: string | null = null): OpenAIErrorBody {
  const refusal = upstreamRefusalOf(error);
  if (refusal !== undefined) {
    const info = readUpstreamError(refusal.upstreamAnswer.body);
    return {
      error: {
        message: refusal.message,
        type: info.type ?? OPENAI_TYPE_BY_KIND[refusal.kind],
        code: info.code ?? OPENAI_CODE_BY_KIND[refusal.kind] ?? refusal.code,
        param: param ?? upstreamParam(refusal.upstreamAnswer) ?? refusal.param ?? null,
      },
    };
  }
  if (error instanceof LlmError) {
    return { error: { message: error.message, type: OPENAI_TYPE_BY_KIND[error.kind], code: OPENAI_CODE_BY_KIND[error.kind] ?? error.code, param: param ?? error.param ?? null } };
  }
  if (error instanceof BulwarkError) {
    const code = error.code === 'BULWARK_ERR_UNKNOWN_MODEL' ? 'model_not_found' : error.code;
    return { error: { message: error.message, type: typeForStatus(error.status, true), code, param } };
  }
  return { error: { message: 'Internal error', type: 'server_error', code: null, param } };
}

/** The Anthropic error body for any error (same rules as {@link toOpenAIErrorBody}). */
export function toAnthropicErrorBody(error: unknown): AnthropicErrorBody {
  const refusal = upstreamRefusalOf(error);
  if (refusal !== undefined) {
    // Anthropic's body has no code: an OpenAI code the message does not already name is added to it.
    const info = readUpstreamError(refusal.upstreamAnswer.body);
    const type = info.type !== undefined && ANTHROPIC_TYPES.has(info.type) ? info.type : typeForStatus(refusal.status, false);
    const code = info.code !== undefined && !refusal.message.includes(info.code) ? ` (code: ${info.code})` : '';
    return { type: 'error', error: { type, message: `${refusal.message}${code}` } };
  }
  if (error instanceof LlmError) return { type: 'error', error: { type: ANTHROPIC_TYPE_BY_KIND[error.kind], message: error.message } };
  if (error instanceof BulwarkError) return { type: 'error', error: { type: typeForStatus(error.status, false), message: error.message } };
  return { type: 'error', error: { type: 'api_error', message: 'Internal error' } };
}

/** Turns an upstream OpenAI error answer into an `LlmError` (see `classifyHttpError`). */
export function fromOpenAIErrorBody(status: number, headers: HeaderBag, body: unknown, options: ClassifyOptions = {}): LlmError {
  return classifyHttpError(status, headers, body, { source: 'OpenAI', ...options });
}

/** Turns an upstream Anthropic error answer into an `LlmError` (see `classifyHttpError`). */
export function fromAnthropicErrorBody(status: number, headers: HeaderBag, body: unknown, options: ClassifyOptions = {}): LlmError {
  return classifyHttpError(status, headers, body, { source: 'Anthropic', ...options });
}
