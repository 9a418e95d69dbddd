/**
 * The shared HTTP machinery of every provider transport: one undici `Pool` per upstream origin
 * (keep-alive), calls whose bodies are sent as prepared (slices, never re-serialized), streams
 * read as raw chunks with first-chunk/idle timeouts on an injected clock, caller cancellation,
 * and classification of every failure into an `LlmError`.
 */
import type { Pool } from 'undici';
import { systemClock, type Clock } from '../../core/clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { classifyError, classifyHttpError } from '../classify.js';
import { LlmError } from '../errors.js';
import type { ApiFamily, UpstreamBody, UpstreamCall, UpstreamReply } from '../exchange.js';
import type { Provider, ProviderCallOptions, ProviderConfig } from '../provider.js';
import { AnswerBudget, DEFAULT_MAX_ANSWER_BYTES, processAnswerBudget } from './answer-budget.js';
import { BufferedAnswer } from './buffered-answer.js';
import { ProviderPool } from './provider-pool.js';
import { StreamWatchdog } from './stream-watchdog.js';

export { DEFAULT_H2_MAX_CONCURRENT_STREAMS, DEFAULT_KEEP_ALIVE_MS } from './provider-pool.js';
/** Upstream error bodies are read up to this many bytes (the rest is dropped). Default 64 KiB. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** What a provider needs besides its config. */
export interface ProviderDeps {
  /** Drives first-token and idle timeouts and Retry-After dates. Default `systemClock`. */
  clock?: Clock;
  /** Bytes of answers all providers may buffer at once. Default {@link processAnswerBudget} (shared). */
  answerBudget?: AnswerBudget;
}

type HttpBody = AsyncIterable<Buffer> & {
  iterator(options: { destroyOnReturn: boolean }): AsyncIterableIterator<Buffer>;
  destroy(error?: Error): unknown;
  dump(options?: { limit?: number }): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/** One upstream HTTP request before it is sent; {@link HttpProvider.authorize} may complete it. */
export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  body: readonly Uint8Array[] | undefined;
}

/** Validates the parts of a {@link ProviderConfig} every adapter shares; returns the parsed base URL. */
export function validateProviderConfig(config: ProviderConfig): URL {
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    throw new InvalidOptionsError(`provider.baseUrl must be an absolute http(s) URL, got ${JSON.stringify(config.baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidOptionsError(`provider.baseUrl must use http or https, got ${JSON.stringify(url.protocol)}`);
  }
  const c = config.connections;
  if (c !== undefined && (!Number.isInteger(c) || c < 1)) {
    throw new InvalidOptionsError(`provider.connections must be a positive integer, got ${c}`);
  }
  const max = config.maxAnswerBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 1024)) {
    throw new InvalidOptionsError(`provider.maxAnswerBytes must be an integer >= 1024, got ${max}`);
  }
  return url;
}

/** Header names whose values are credentials (custom auth through `headers`). */
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|signature/i;

/** What must never appear in an error message: the API key and credential-like header values. */
function secretsOf(config: ProviderConfig): string[] {
  const secrets = config.apiKey ? [config.apiKey] : [];
  const aws = config.awsCredentials;
  if (aws !== undefined) secrets.push(aws.secretAccessKey, ...(aws.sessionToken !== undefined ? [aws.sessionToken] : []));
  if (config.googleCredentials?.serviceAccountJson !== undefined) secrets.push(config.googleCredentials.serviceAccountJson);
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (CREDENTIAL_HEADER.test(name) && typeof value === 'string' && value !== '') secrets.push(value.replace(/^bearer\s+/i, ''));
  }
  return secrets;
}

/**
 * Base class of the OpenAI and Anthropic transports: one keep-alive pool, the call's body slices
 * sent as they are, the reply's bytes handed back unread. Subclasses say where an endpoint lives
 * and how the provider authenticates ({@link address}).
 */
export abstract class HttpProvider implements Provider {
  abstract readonly dialect: ApiFamily;
  protected readonly pool: Pool;
  protected readonly basePath: string;
  protected readonly clock: Clock;
  private readonly secrets: string[];
  private readonly maxAnswerBytes: number;
  private readonly answerBudget: AnswerBudget;

  constructor(protected readonly config: ProviderConfig, deps: ProviderDeps, private readonly source: string) {
    const url = validateProviderConfig(config);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.clock = deps.clock ?? systemClock;
    this.maxAnswerBytes = config.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.answerBudget = deps.answerBudget ?? processAnswerBudget;
    this.secrets = secretsOf(config);
    this.pool = new ProviderPool(url, { connections: config.connections });
  }

  /** The request path of `call` on this provider. */
  protected abstract pathOf(call: UpstreamCall): string;
  /** Headers of the provider's API sent unless the call has its own (e.g. `anthropic-version`, config `headers`). */
  protected abstract readonly defaultHeaders: Readonly<Record<string, string>>;
  /** The provider's credentials, sent last: a call's headers never replace them. */
  protected abstract readonly authHeaders: Readonly<Record<string, string>>;

  /**
   * Providers whose credentials depend on the request (AWS SigV4 signs the body) or come from a
   * token source (Google OAuth) finish the request here: set auth headers, or rewrite the body.
   * Absent on the plain providers, whose calls then go to I/O with no extra step.
   */
  protected authorize?(request: PreparedRequest, call: UpstreamCall): Promise<void>;
  /** The content type a 2xx streaming answer must have. Default `text/event-stream`. */
  protected readonly streamContentType: string = 'text/event-stream';

  /** Classifies an HTTP error answer of this provider's API. Default: the OpenAI/Anthropic error shapes. */
  protected classifyHttp(status: number, headers: Record<string, string | string[] | undefined>, text: string): LlmError {
    return classifyHttpError(status, headers, text, { now: this.clock.now(), secrets: this.secrets, source: this.source, family: this.dialect });
  }

  private readonly classifyHttpError = (status: number, headers: Record<string, string | string[] | undefined>, text: string): LlmError => this.classifyHttp(status, headers, text);

  /** Secrets this provider must never let out (for subclasses' own error reading). */
  protected get secretValues(): readonly string[] {
    return this.secrets;
  }

  private async finish(call: UpstreamCall): Promise<PreparedRequest> {
    const request = this.requestOf(call);
    if (this.authorize !== undefined) {
      try {
        await this.authorize(request, call);
      } catch (err) {
        throw this.classify(err);
      }
    }
    return request;
  }

  /** The upstream request of `call`: path, headers (defaults, then the call's API headers, then auth), body slices. */
  private requestOf(call: UpstreamCall): PreparedRequest {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...call.headers, ...this.authHeaders };
    if (call.body !== undefined) {
      let length = 0;
      for (const slice of call.body) length += slice.byteLength;
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(length);
    }
    return { path: this.pathOf(call), headers, body: call.body };
  }

  async send(call: UpstreamCall, options: ProviderCallOptions = {}): Promise<UpstreamReply> {
    const signal = options.signal;
    if (signal?.aborted) throw this.aborted(signal.reason);
    try {
      const { path, headers, body } = this.authorize === undefined ? this.requestOf(call) : await this.finish(call);
      // Read once, as it comes, into memory (bounded): see BufferedAnswer.
      return await BufferedAnswer.send(this.pool, { method: call.method ?? 'POST', path, headers, body: body === undefined ? undefined : bodyOf(body) }, {
        maxBytes: this.maxAnswerBytes, budget: this.answerBudget, source: this.source, maxErrorBytes: MAX_ERROR_BODY_BYTES, classifyHttp: this.classifyHttpError, signal,
      });
    } catch (err) {
      throw signal?.aborted ? this.aborted(signal.reason) : this.classify(err);
    }
  }

  async open(call: UpstreamCall, options: ProviderCallOptions = {}): Promise<UpstreamBody> {
    const callerSignal = options.signal;
    if (callerSignal?.aborted) throw this.aborted(callerSignal.reason);
    const { path, headers, body: payload } = this.authorize === undefined ? this.requestOf(call) : await this.finish(call);
    const controller = new AbortController();
    let failure: LlmError | undefined;
    const fail = (error: LlmError) => {
      failure ??= error;
      controller.abort(error);
    };
    const onCallerAbort = () => fail(this.aborted(callerSignal?.reason));
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const watchdog = new StreamWatchdog(this.clock, fail, options.firstTokenTimeoutMs, options.idleTimeoutMs);
    let body: HttpBody | undefined;
    let closed = false;
    // Releases everything exactly once: the socket goes back to the pool (drained) or is cut, the timer and listener go.
    const release = (complete: boolean) => {
      if (closed) return;
      closed = true;
      watchdog.stop();
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (body === undefined) return;
      if (complete) body.dump({ limit: MAX_ERROR_BODY_BYTES }).catch(() => undefined);
      else {
        // undici emits an AbortError when an unfinished body is destroyed; with no listener
        // that would be an uncaught exception (a crashed gateway). We are the ones cutting it.
        body.on('error', () => undefined);
        body.destroy();
      }
    };
    try {
      watchdog.start();
      const res = await this.pool.request({
        method: call.method ?? 'POST', path, headers, body: payload === undefined ? undefined : bodyOf(payload), signal: controller.signal,
      });
      body = res.body as unknown as HttpBody;
      if (res.statusCode >= 400) throw await this.httpError(res.statusCode, res.headers, body);
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType !== '' && !contentType.includes(this.streamContentType)) {
        throw new LlmError('server_error', `${this.source} answered a streaming request with '${contentType.split(';')[0]}', not ${this.streamContentType}`);
      }
      // Leaving the iterator must not destroy the body: a complete one is drained for keep-alive instead.
      const chunks = body.iterator({ destroyOnReturn: false });
      const source = this.source;
      const classify = (err: unknown) => failure ?? this.classify(err);
      let first = true;
      return {
        status: res.statusCode,
        headers: res.headers,
        async next() {
          if (closed) return { done: true, value: undefined };
          // Until the first chunk the first-token deadline (armed before the request) holds.
          if (!first) watchdog.resume();
          first = false;
          try {
            const step = await chunks.next();
            watchdog.pause();
            return step;
          } catch (err) {
            const error = classify(err);
            release(false);
            throw error instanceof LlmError ? error : new LlmError('connection', `${source} stream broke`, { cause: err });
          }
        },
        close: release,
      };
    } catch (err) {
      release(false);
      // classify() also blanks the key from in-stream error events the decoder classified.
      throw this.classify(failure ?? err);
    }
  }

  private async httpError(status: number, headers: Record<string, string | string[] | undefined>, body: HttpBody): Promise<LlmError> {
    let text = '';
    try {
      for await (const chunk of body) {
        text += chunk.toString('utf8');
        if (text.length >= MAX_ERROR_BODY_BYTES) break;
      }
    } catch {
      // The error status is what matters; a body cut short still classifies by status.
    }
    return this.classifyHttp(status, headers, text);
  }

  private classify(err: unknown): LlmError {
    return classifyError(err, { secrets: this.secrets, source: this.source });
  }

  /**
   * The error for a call whose signal aborted: an `LlmError` reason is kept; a timeout reason
   * (an attempt-timeout policy's `TimeoutError`, `AbortSignal.timeout`) is `timeout`; anything
   * else is the caller going away, `cancelled`.
   */
  private aborted(reason: unknown): LlmError {
    if (reason instanceof LlmError) return reason;
    const r = reason as { name?: unknown; code?: unknown } | null | undefined;
    if (r?.name === 'TimeoutError' || r?.code === 'BULWARK_ERR_TIMEOUT') {
      return new LlmError('timeout', `${this.source} request aborted by a timeout`, { cause: reason });
    }
    return new LlmError('cancelled', `${this.source} request cancelled by the caller`, { cause: reason });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** A call's body slices as undici's request body: one buffer as it is, several as an iterable (no concatenation). */
function bodyOf(slices: readonly Uint8Array[]): Uint8Array {
  // undici writes any iterable body chunk by chunk (its types list only single-buffer bodies).
  return slices.length === 1 ? slices[0] : (slices as unknown as Uint8Array);
}
