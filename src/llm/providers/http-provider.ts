/**
 * The shared HTTP machinery of every provider adapter: one undici `Pool` per upstream origin
 * (keep-alive), JSON calls, SSE streaming with first-token/idle timeouts on an injected clock,
 * caller cancellation, and classification of every failure into an `LlmError`.
 */
import type { Pool } from 'undici';
import { systemClock, type Clock } from '../../core/clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { classifyError, classifyHttpError } from '../classify.js';
import { LlmError } from '../errors.js';
import type { Provider, ProviderCallOptions, ProviderConfig } from '../provider.js';
import { SseParser, type SseEvent } from '../sse.js';
import type { ChatRequest, ChatResponse, StreamEvent } from '../types.js';
import { AnswerBudget, DEFAULT_MAX_ANSWER_BYTES, processAnswerBudget, readAnswer } from './answer-budget.js';
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

/** Turns a dialect's SSE events into canonical events; `end` throws if the answer never finished. */
export interface SseDecoder {
  push(event: SseEvent): StreamEvent[];
  end(): StreamEvent[];
}

/** One prepared upstream call. */
export interface UpstreamCall {
  path: string;
  headers: Record<string, string>;
  body: string;
}

type HttpBody = AsyncIterable<Buffer> & {
  iterator(options: { destroyOnReturn: boolean }): AsyncIterableIterator<Buffer>;
  text(): Promise<string>;
  destroy(error?: Error): unknown;
  dump(options?: { limit?: number }): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

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
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (CREDENTIAL_HEADER.test(name) && typeof value === 'string' && value !== '') secrets.push(value.replace(/^bearer\s+/i, ''));
  }
  return secrets;
}

/** Base class of the OpenAI and Anthropic adapters; subclasses supply the dialect. */
export abstract class HttpProvider implements Provider {
  abstract readonly dialect: 'openai' | 'anthropic';
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

  /** Builds the upstream call for `request`. */
  protected abstract prepare(request: ChatRequest, stream: boolean): UpstreamCall;
  /** Reads a successful non-streaming answer. */
  protected abstract readResponse(body: unknown): ChatResponse;
  /** A fresh decoder for one stream. */
  protected abstract streamDecoder(): SseDecoder;

  async chat(request: ChatRequest, options: ProviderCallOptions = {}): Promise<ChatResponse> {
    const call = this.encode(request, false);
    const signal = options.signal;
    if (signal?.aborted) throw this.aborted(signal.reason);
    let answer: { text: string; done: () => void };
    try {
      const res = await this.pool.request({ method: 'POST', path: call.path, headers: call.headers, body: call.body, signal });
      if (res.statusCode >= 400) throw await this.httpError(res.statusCode, res.headers, res.body as unknown as HttpBody);
      answer = await readAnswer(res.body as unknown as HttpBody, this.maxAnswerBytes, this.answerBudget, this.source);
    } catch (err) {
      throw signal?.aborted ? this.aborted(signal.reason) : this.classify(err);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      throw new LlmError('server_error', `${this.source} answered with a body that is not JSON`);
    } finally {
      answer.done();
    }
    return this.readResponse(parsed);
  }

  /** Lazy: the upstream request is sent when iteration starts; every failure surfaces from iteration. */
  stream(request: ChatRequest, options: ProviderCallOptions = {}): AsyncIterable<StreamEvent> {
    return { [Symbol.asyncIterator]: () => this.streamEvents(request, options) };
  }

  private async *streamEvents(request: ChatRequest, options: ProviderCallOptions): AsyncGenerator<StreamEvent> {
    const callerSignal = options.signal;
    if (callerSignal?.aborted) throw this.aborted(callerSignal.reason);
    const call = this.encode(request, true);
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
    let finished = false;
    // Released before `finish` is handed over, so a consumer that stops right after it leaks
    // nothing: the socket returns to the pool (drained) or is cut, the timer and listener go.
    const release = () => {
      watchdog.stop();
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (body) {
        if (finished) body.dump({ limit: MAX_ERROR_BODY_BYTES }).catch(() => undefined);
        else {
          // undici emits an AbortError when an unfinished body is destroyed; with no listener
          // that would be an uncaught exception (a crashed gateway). We are the ones cutting it.
          body.on('error', () => undefined);
          body.destroy();
        }
        body = undefined;
      }
    };
    try {
      watchdog.start();
      const res = await this.pool.request({
        method: 'POST', path: call.path, headers: call.headers, body: call.body, signal: controller.signal,
      });
      body = res.body as unknown as HttpBody;
      if (res.statusCode >= 400) throw await this.httpError(res.statusCode, res.headers, body);
      const contentType = String(res.headers['content-type'] ?? '');
      if (contentType !== '' && !contentType.includes('text/event-stream')) {
        throw new LlmError('server_error', `${this.source} answered a streaming request with '${contentType.split(';')[0]}', not an event stream`);
      }
      const parser = new SseParser();
      const decoder = this.streamDecoder();
      // Leaving the loop at `finish` must not destroy the body: it is drained for keep-alive instead.
      for await (const chunk of body.iterator({ destroyOnReturn: false })) {
        for (const sse of parser.feed(chunk)) {
          for (const event of decoder.push(sse)) {
            if (event.type === 'finish') {
              finished = true;
              release();
              yield event;
              return;
            }
            watchdog.pause();
            yield event;
            watchdog.resume();
          }
        }
      }
      parser.end();
      for (const event of decoder.end()) {
        if (event.type === 'finish') {
          finished = true;
          release();
          yield event;
          return;
        }
        yield event;
      }
      throw new LlmError('connection', `${this.source} stream ended before the answer finished`);
    } catch (err) {
      // classify() also blanks the key from in-stream error events the decoder classified.
      throw this.classify(failure ?? err);
    } finally {
      release();
    }
  }

  /**
   * {@link prepare}, with its failures made the request's: nothing was sent, so nothing here may
   * count against the deployment. A request the codec cannot encode (a `RangeError`: nested too
   * deep or too large to serialize) is `invalid_request`; any other unclassified throw is
   * `internal` (a Bulwark bug).
   */
  private encode(request: ChatRequest, stream: boolean): UpstreamCall {
    try {
      return this.prepare(request, stream);
    } catch (error) {
      if (error instanceof LlmError) throw error;
      if (error instanceof RangeError) {
        throw new LlmError('invalid_request', `The request cannot be encoded for ${this.source}: it nests too deeply or is too large`, { cause: error });
      }
      throw new LlmError('internal', `Bulwark failed to encode the request for ${this.source} (${error instanceof Error ? error.name : typeof error}); this is a bug, please report it with the request id`, { cause: error });
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
    return classifyHttpError(status, headers, text, { now: this.clock.now(), secrets: this.secrets, source: this.source });
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
