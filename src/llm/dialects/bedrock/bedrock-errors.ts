/**
 * Bedrock error answers → {@link LlmError}. AWS names the error in the `x-amzn-errortype` header
 * (`ThrottlingException:http://internal.amazon.com/...`) and puts `{message}` in the body; inside
 * an event stream the same names arrive as `exception` frames (`throttlingException`).
 */
import { MAX_UPSTREAM_MESSAGE_CHARS, redactSecrets, type ClassifyOptions } from '../../classify.js';
import { LlmError, type LlmErrorKind } from '../../errors.js';
import { headerValue, parseRetryAfterMs, type HeaderBag } from '../../retry-after.js';
import { isObject } from '../check.js';

const CONTEXT_LENGTH = /too long|too many (input )?tokens|context (window|length)|maximum (input )?length|prompt is too long/i;

/** What each Bedrock exception means. Names are compared case-insensitively (streams use camelCase). */
const KIND_BY_EXCEPTION: Record<string, LlmErrorKind> = {
  throttlingexception: 'rate_limited',
  servicequotaexceededexception: 'rate_limited',
  // A model that is still being provisioned answers 429; it will be ready later: wait and retry.
  modelnotreadyexception: 'rate_limited',
  serviceunavailableexception: 'overloaded',
  internalserverexception: 'server_error',
  modelerrorexception: 'server_error',
  modelstreamerrorexception: 'server_error',
  modeltimeoutexception: 'timeout',
  accessdeniedexception: 'auth',
  unrecognizedclientexception: 'auth',
  expiredtokenexception: 'auth',
  invalidsignatureexception: 'auth',
  resourcenotfoundexception: 'bad_request',
  validationexception: 'bad_request',
};

/** The exception name from `x-amzn-errortype` (the part before `:`), or `undefined`. */
export function exceptionName(headers: HeaderBag): string | undefined {
  const value = headerValue(headers, 'x-amzn-errortype');
  return value !== undefined && value !== '' ? value.split(':')[0] : undefined;
}

function messageOf(body: unknown): string {
  let value = body;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      return text.trim();
    }
  }
  if (!isObject(value)) return '';
  const m = value.message ?? value.Message;
  return typeof m === 'string' ? m : '';
}

function kindOf(status: number, exception: string | undefined, message: string): LlmErrorKind {
  const known = exception !== undefined ? KIND_BY_EXCEPTION[exception.toLowerCase()] : undefined;
  if (known === 'bad_request' && CONTEXT_LENGTH.test(message)) return 'context_length_exceeded';
  if (known !== undefined) return known;
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'overloaded';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  if (CONTEXT_LENGTH.test(message)) return 'context_length_exceeded';
  return 'bad_request';
}

function errorFrom(kind: LlmErrorKind, text: string, options: ClassifyOptions, details: { upstreamStatus?: number; retryAfterMs?: number }): LlmError {
  let message = redactSecrets(text, options.secrets);
  if (message.length > MAX_UPSTREAM_MESSAGE_CHARS) message = `${message.slice(0, MAX_UPSTREAM_MESSAGE_CHARS)}…`;
  return new LlmError(kind, message, details);
}

/**
 * Classifies a Bedrock HTTP error answer.
 *
 * @example classifyBedrockError(429, { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' }, '{"message":"Too many requests"}')
 *   // kind rate_limited
 */
export function classifyBedrockError(status: number, headers: HeaderBag, body: unknown, options: ClassifyOptions = {}): LlmError {
  const exception = exceptionName(headers);
  const message = messageOf(body);
  const kind = kindOf(status, exception, message);
  const retryAfterMs = parseRetryAfterMs(headers, options.now ?? Date.now());
  const detail = [exception, message].filter((s) => s !== undefined && s !== '').join(': ') || 'no error message';
  return errorFrom(kind, `${options.source ?? 'Bedrock'} answered ${status}: ${detail}`, options, { upstreamStatus: status, retryAfterMs });
}

/** An `exception` frame inside a ConverseStream / InvokeModelWithResponseStream answer. */
export function classifyBedrockStreamException(exception: string, payload: string, options: ClassifyOptions = {}): LlmError {
  const message = messageOf(payload);
  const kind = kindOf(500, exception, message);
  return errorFrom(kind, `${options.source ?? 'Bedrock'} stream error: ${exception}${message !== '' ? `: ${message}` : ''}`, options, {});
}
