/**
 * Turns whatever an upstream call produced — an HTTP error answer, a socket error, an abort —
 * into one {@link LlmError} of the closed set of kinds. Every policy decision (retry, breaker,
 * fallback) reads `kind`; nothing else should look at raw statuses or error codes.
 */
import { LlmError, type LlmErrorKind } from './errors.js';
import type { ApiFamily } from './exchange.js';
import { parseRetryAfterMs, type HeaderBag } from './retry-after.js';

/** Upstream error text kept in an LlmError message at most (longer text is cut). Default 500. */
export const MAX_UPSTREAM_MESSAGE_CHARS = 500;

/** Options for {@link classifyHttpError} and {@link classifyError}. */
export interface ClassifyOptions {
  /** Wall-clock ms used to turn HTTP dates / RFC 3339 reset times into a delay. Default `Date.now()`. */
  now?: number;
  /** Secrets (API keys) to blank out of any message, in case an upstream echoes them. */
  secrets?: readonly string[];
  /** Prefix naming the upstream in messages, e.g. `OpenAI`. Default `Upstream`. */
  source?: string;
  /**
   * The API the upstream speaks: the error then keeps the upstream's own answer
   * (`LlmError.upstreamAnswer`, secrets blanked), for a client of the same API. Absent: not kept.
   */
  family?: ApiFamily;
}

/** The parts of an OpenAI or Anthropic error body that matter for classification. */
export interface UpstreamErrorInfo {
  message: string;
  type: string | undefined;
  code: string | undefined;
}

const CONTEXT_LENGTH_PATTERN =
  /context[_ ]length|maximum context|context window|prompt is too long|exceed(s)? context limit|too many tokens/i;
const CONTENT_FILTER_PATTERN =
  /content[_ ]filter|content management policy|content_policy_violation|responsibleaipolicyviolation|violates? (our|the) usage polic|safety system/i;

/**
 * Reads `{error:{message,type,code}}` (OpenAI), `{type:'error',error:{type,message}}` (Anthropic)
 * or plain text. Never throws.
 */
export function readUpstreamError(body: unknown): UpstreamErrorInfo {
  let value = body;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      return { message: text.trim(), type: undefined, code: undefined };
    }
  }
  if (typeof value === 'object' && value !== null) {
    const root = value as Record<string, unknown>;
    const err = typeof root.error === 'object' && root.error !== null ? root.error as Record<string, unknown> : root;
    const inner = typeof err.innererror === 'object' && err.innererror !== null ? err.innererror as Record<string, unknown> : undefined;
    const code = typeof err.code === 'string' ? err.code : typeof inner?.code === 'string' ? inner.code : undefined;
    return {
      message: typeof err.message === 'string' ? err.message : typeof root.error === 'string' ? root.error : '',
      type: typeof err.type === 'string' ? err.type : undefined,
      code,
    };
  }
  return { message: '', type: undefined, code: undefined };
}

/** Blanks each secret out of `text`. */
export function redactSecrets(text: string, secrets: readonly string[] | undefined): string {
  if (!secrets) return text;
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]');
}

function kindForStatus(status: number, info: UpstreamErrorInfo): LlmErrorKind {
  const code = info.code ?? '';
  const type = info.type ?? '';
  const text = `${code} ${type} ${info.message}`;
  if (type === 'overloaded_error' || status === 529 || status === 503) return 'overloaded';
  if (status === 429 || type === 'rate_limit_error') {
    // An exhausted quota will not come back by waiting: the deployment is unusable, like bad credentials.
    return code === 'insufficient_quota' ? 'auth' : 'rate_limited';
  }
  if (status === 401 || status === 403 || type === 'authentication_error' || type === 'permission_error') return 'auth';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  if (code === 'context_length_exceeded' || CONTEXT_LENGTH_PATTERN.test(info.message)) return 'context_length_exceeded';
  if (code === 'content_filter' || CONTENT_FILTER_PATTERN.test(text)) return 'content_filtered';
  return 'bad_request';
}

function cut(text: string): string {
  return text.length > MAX_UPSTREAM_MESSAGE_CHARS ? `${text.slice(0, MAX_UPSTREAM_MESSAGE_CHARS)}…` : text;
}

/**
 * Classifies an upstream HTTP error answer.
 *
 * @param body the response body: text, bytes or already-parsed JSON.
 * @example classifyHttpError(429, { 'retry-after': '2' }, '{"error":{"message":"slow down"}}') // kind rate_limited, retryAfterMs 2000
 */
export function classifyHttpError(status: number, headers: HeaderBag, body: unknown, options: ClassifyOptions = {}): LlmError {
  const info = readUpstreamError(body);
  const kind = kindForStatus(status, info);
  const retryAfterMs = parseRetryAfterMs(headers, options.now ?? Date.now());
  const detail = info.message !== '' ? info.message : info.type ?? info.code ?? 'no error message';
  const message = cut(redactSecrets(`${options.source ?? 'Upstream'} answered ${status}: ${detail}`, options.secrets));
  const family = options.family;
  if (family === undefined) return new LlmError(kind, message, { upstreamStatus: status, retryAfterMs });
  const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : JSON.stringify(body) ?? '';
  let kept: Record<string, string | string[] | undefined>;
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    kept = {};
    headers.forEach((value, name) => (kept[name] = value));
  } else kept = headers as Record<string, string | string[] | undefined>;
  const upstreamAnswer = { family, status, headers: kept, body: redactSecrets(text, options.secrets) };
  return new LlmError(kind, message, { upstreamStatus: status, retryAfterMs, upstreamAnswer });
}

/**
 * `error` itself when its message holds none of `secrets`, else a copy with them blanked (the
 * decoders classify in-stream error events without knowing the provider's key).
 */
export function withoutSecrets(error: LlmError, secrets: readonly string[] | undefined): LlmError {
  if (!secrets || secrets.length === 0) return error;
  const message = redactSecrets(error.message, secrets);
  if (message === error.message) return error;
  const answer = error.upstreamAnswer;
  return new LlmError(error.kind, message, {
    upstreamStatus: error.upstreamStatus, retryAfterMs: error.retryAfterMs, deployment: error.deployment, param: error.param, cause: error.cause,
    upstreamAnswer: answer === undefined ? undefined : { ...answer, body: redactSecrets(answer.body, secrets) },
  });
}

/** Anthropic stream `error` events and OpenAI in-stream `{error}` chunks carry no status: map the type. */
export function classifyStreamError(body: unknown, options: ClassifyOptions = {}): LlmError {
  const info = readUpstreamError(body);
  const status = STATUS_BY_ERROR_TYPE[info.type ?? ''] ?? (info.code === 'rate_limit_exceeded' ? 429 : 500);
  const error = classifyHttpError(status, {}, body, { ...options, family: undefined });
  return new LlmError(error.kind, error.message.replace(/answered \d+:/, 'stream error:'));
}

const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  server_error: 500,
  overloaded_error: 529,
  timeout_error: 504,
};

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ESOCKETTIMEDOUT',
]);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_INFO',
]);

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function kindOfError(err: unknown, depth = 0): LlmErrorKind | undefined {
  if (err === null || typeof err !== 'object' || depth > 4) return undefined;
  if (err instanceof LlmError) return err.kind;
  const name = (err as { name?: unknown }).name;
  const code = errorCode(err);
  if (name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') return 'cancelled';
  if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) return 'timeout';
  if (code !== undefined && (CONNECTION_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('CERT_') ||
    code.includes('SELF_SIGNED'))) return 'connection';
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && /other side closed|socket hang up|socket closed/i.test(message)) return 'connection';
  const nested = (err as { errors?: unknown }).errors;
  if (Array.isArray(nested)) {
    for (const e of nested) {
      const k = kindOfError(e, depth + 1);
      if (k) return k;
    }
  }
  return kindOfError((err as { cause?: unknown }).cause, depth + 1);
}

/**
 * The kind of a thrown error when it is recognisably an I/O outcome (an `LlmError`'s own kind, an
 * abort, an undici/OS timeout, a refused/reset/DNS/TLS/closed socket); undefined otherwise.
 */
export function recognizedKind(err: unknown): LlmErrorKind | undefined {
  return kindOfError(err);
}

/**
 * Classifies a thrown error (socket, undici, abort). An `LlmError` is returned unchanged; an
 * abort becomes `cancelled`; undici/OS timeouts `timeout`; refused/reset/DNS/TLS/closed sockets
 * `connection`; anything unrecognised `server_error` (a provider calls this for what its I/O
 * threw; the router uses {@link recognizedKind} for what escaped a provider unclassified).
 */
export function classifyError(err: unknown, options: ClassifyOptions = {}): LlmError {
  if (err instanceof LlmError) return withoutSecrets(err, options.secrets);
  const kind = kindOfError(err) ?? 'server_error';
  const code = errorCode(err);
  const raw = err instanceof Error ? err.message : String(err);
  const text = `${options.source ?? 'Upstream'} request failed: ${raw || code || 'unknown error'}${code && !raw.includes(code) ? ` (${code})` : ''}`;
  return new LlmError(kind, cut(redactSecrets(text, options.secrets)), { cause: err });
}
