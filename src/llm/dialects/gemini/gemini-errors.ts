/**
 * Gemini / Vertex AI error answers → {@link LlmError}. Google APIs answer
 * `{error:{code, message, status, details[]}}`; `status` is the canonical gRPC code name, and a
 * `RESOURCE_EXHAUSTED` carries a `google.rpc.RetryInfo` detail whose `retryDelay` ("37s",
 * "1.5s") is the server's wait hint, honoured like Retry-After.
 */
import { MAX_UPSTREAM_MESSAGE_CHARS, redactSecrets, type ClassifyOptions } from '../../classify.js';
import { LlmError, type LlmErrorKind } from '../../errors.js';
import { parseRetryAfterMs, type HeaderBag } from '../../retry-after.js';
import { isObject, type JsonObject } from '../check.js';

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
const CONTEXT_LENGTH = /exceeds the maximum number of tokens|input token count .* exceeds|too long|context (window|length)/i;

/** The fields of a Google error body that classification reads. */
export interface GoogleErrorInfo {
  code: number | undefined;
  status: string | undefined;
  message: string;
  retryDelayMs: number | undefined;
}

/** Reads a Google API error body (text, bytes or parsed). Never throws. */
export function readGoogleError(body: unknown): GoogleErrorInfo {
  let value = body;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      return { code: undefined, status: undefined, message: text.trim(), retryDelayMs: undefined };
    }
  }
  // Vertex sometimes wraps the error in a one-element array.
  if (Array.isArray(value)) value = value[0];
  const error: JsonObject = isObject(value) && isObject(value.error) ? value.error : {};
  let retryDelayMs: number | undefined;
  for (const detail of Array.isArray(error.details) ? error.details : []) {
    if (isObject(detail) && detail['@type'] === RETRY_INFO_TYPE) retryDelayMs = parseDuration(detail.retryDelay);
  }
  return {
    code: typeof error.code === 'number' ? error.code : undefined,
    status: typeof error.status === 'string' ? error.status : undefined,
    message: typeof error.message === 'string' ? error.message : '',
    retryDelayMs,
  };
}

/** A protobuf JSON `Duration` ("37s", "0.5s", "1.000340s") in ms; anything else `undefined`. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

function kindOf(httpStatus: number, info: GoogleErrorInfo): LlmErrorKind {
  switch (info.status) {
    case 'RESOURCE_EXHAUSTED':
      return 'rate_limited';
    case 'UNAVAILABLE':
      return 'overloaded';
    case 'DEADLINE_EXCEEDED':
      return 'timeout';
    case 'UNAUTHENTICATED':
    case 'PERMISSION_DENIED':
      return 'auth';
    case 'INTERNAL':
    case 'UNKNOWN':
      return 'server_error';
    default:
      break;
  }
  if (httpStatus === 429) return 'rate_limited';
  if (httpStatus === 503) return 'overloaded';
  if (httpStatus === 401 || httpStatus === 403) return 'auth';
  if (httpStatus === 504 || httpStatus === 408) return 'timeout';
  if (httpStatus >= 500) return 'server_error';
  if (CONTEXT_LENGTH.test(info.message)) return 'context_length_exceeded';
  if (/safety|blocked|prohibited/i.test(info.message)) return 'content_filtered';
  return 'bad_request';
}

/**
 * Classifies a Gemini or Vertex HTTP error answer. The wait hint is `RetryInfo.retryDelay`, else
 * the Retry-After header.
 *
 * @example classifyGeminiError(429, {}, '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"quota","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}')
 *   // kind rate_limited, retryAfterMs 37000
 */
export function classifyGeminiError(status: number, headers: HeaderBag, body: unknown, options: ClassifyOptions = {}): LlmError {
  const info = readGoogleError(body);
  const kind = kindOf(status, info);
  const retryAfterMs = info.retryDelayMs ?? parseRetryAfterMs(headers, options.now ?? Date.now());
  const detail = info.message !== '' ? info.message : info.status ?? 'no error message';
  let message = redactSecrets(`${options.source ?? 'Gemini'} answered ${status}: ${detail}`, options.secrets);
  if (message.length > MAX_UPSTREAM_MESSAGE_CHARS) message = `${message.slice(0, MAX_UPSTREAM_MESSAGE_CHARS)}…`;
  return new LlmError(kind, message, { upstreamStatus: status, retryAfterMs });
}

/** An `{error}` object inside a stream (no HTTP status of its own: the code in the body counts). */
export function classifyGeminiStreamError(chunk: unknown, options: ClassifyOptions = {}): LlmError {
  const info = readGoogleError(chunk);
  const error = classifyGeminiError(info.code ?? 500, {}, chunk, options);
  return new LlmError(error.kind, error.message.replace(/answered \d+:/, 'stream error:'), { retryAfterMs: error.retryAfterMs });
}
