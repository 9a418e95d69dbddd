/**
 * Error bodies in each dialect: what the gateway sends to clients, and how upstream error
 * bodies become `LlmError`s.
 */
import { BulwarkError } from '../../core/errors.js';
import { classifyHttpError, type ClassifyOptions } from '../classify.js';
import { LlmError, type LlmErrorKind } from '../errors.js';
import type { HeaderBag } from '../retry-after.js';

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

/**
 * The OpenAI error body for any error. `LlmError` kinds map to OpenAI types and codes; other
 * Bulwark errors use their status and their `BULWARK_ERR_*` code; anything else is a 500 with a
 * generic message (internal details never leak).
 *
 * @param param the request field at fault, when known.
 */
export function toOpenAIErrorBody(error: unknown, param: string | null = null): OpenAIErrorBody {
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
