import { hash } from 'node:crypto';
import type { Clock } from '../../../core/clock.js';
import { LlmError } from '../../errors.js';
import type {
  Answer, DecoderOptions, Exchange, HeaderMap, StreamDecoder, UnsupportedPolicy, Unsupported, UpstreamCall, UpstreamReply, UpstreamTarget,
} from '../../exchange.js';
import type { ChatRequest, ChatResponse, Usage } from '../../types.js';
import { eventsOf } from '../canonical/answer-accumulator.js';
import { defaultChatResponse } from '../canonical/default-response.js';
import { canonicalCall } from '../canonical/upstream-body.js';
import { CANONICAL_CAPABILITIES, uncarried, withoutPaths, type CapabilityTable } from '../capabilities.js';
import { isScanError, memberCut, parseSpan, scanJsonObject, type ScannedObject, type Span } from '../json-scan.js';
import { CHAT_CAPABILITIES } from './chat-capabilities.js';
import { TranslatingDecoder } from './translating-decoder.js';
import { readCanonicalAnswer } from '../canonical/upstream-answer.js';
import { fromAnthropicResponse } from '../anthropic-response.js';
import { fromOpenAIResponse } from '../openai-response.js';
import { JSON_CONTENT_TYPE, restoreWireAnswer, SSE_CONTENT_TYPE, storeWireAnswer, type WireAnswer } from './wire-answer.js';
import type { ClientEncoder, WireDialect } from './wire-dialect.js';

/** Objects and arrays in a client body may nest this deep (deeper: 400). Default 128. */
export const MAX_BODY_NESTING = 128;

/** Bumped when the wire cache key's recipe changes, so old entries are never found again. */
const WIRE_KEY_VERSION = 'w1';

/** The client's request headers of the API that a same-API call forwards (by the dialect's allow-list). */
export function forwardedHeaders(dialect: WireDialect, headers: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of dialect.forwardHeaders) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

/**
 * One client request in a wire API (OpenAI Chat Completions, Anthropic Messages), as the router
 * sees it. To a deployment of the same API the body goes up as it came: the client's bytes, with
 * only `model` replaced (and, for a stream of an API that reports usage only if asked, the
 * dialect's `usageChunk`, `stream_options.include_usage` asked for when the client did not and the
 * deployment accepts `stream_options`, so TPM budgets see the tokens — that usage chunk is then
 * not relayed). The
 * answer comes back as the provider sent it, observed but never rebuilt. To a deployment of the
 * other API, the request and the answer are translated through the canonical model, and a
 * request the translation cannot carry is refused for that deployment (capability-aware routing).
 */
export class WireExchange implements Exchange<WireAnswer, Buffer> {
  readonly route: string;
  readonly stream: boolean;
  /** The last answer {@link describeAnswer} read, and what it read. */
  private described: { answer: WireAnswer; response: ChatResponse | undefined } | undefined = undefined;
  /** The client asked for the usage chunk (OpenAI `stream_options.include_usage`). */
  readonly includeUsage: boolean;
  private readonly calls = new Map<string, UpstreamCall | Unsupported>();
  private parsed: unknown = undefined;
  private readonly translations = new Map<string, Translation>();
  private key: string | undefined = undefined;

  private constructor(
    private readonly dialect: WireDialect,
    private readonly raw: Buffer,
    private readonly scanned: ScannedObject,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly clock: Clock,
  ) {
    const { members } = scanned;
    const model = valueAt(raw, members.get('model'));
    if (typeof model !== 'string' || model === '') throw new LlmError('bad_request', "Invalid request: 'model' must be a non-empty string");
    this.route = model;
    const stream = valueAt(raw, members.get('stream'));
    if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw new LlmError('bad_request', "Invalid request: 'stream' must be a boolean");
    this.stream = stream === true;
    const options = valueAt(raw, members.get('stream_options'));
    this.includeUsage = typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true;
  }

  /**
   * The exchange of a client body already scanned as a JSON object ({@link scanJsonObject} with
   * {@link MAX_BODY_NESTING}: validated, never parsed whole). Throws a `bad_request` LlmError
   * unless `model` is a non-empty string and `stream` a boolean.
   *
   * @param headers the client's request headers (only the dialect's allow-list is kept)
   */
  static open(dialect: WireDialect, body: Buffer, scanned: ScannedObject, headers: HeaderMap, clock: Clock): WireExchange {
    return new WireExchange(dialect, body, scanned, forwardedHeaders(dialect, headers), clock);
  }

  /** The client body parsed (only for a translation). */
  private json(): unknown {
    this.parsed ??= JSON.parse(this.raw.toString('utf8'));
    return this.parsed;
  }

  /**
   * The client body as a canonical request for an API carrying `table`: the fields it cannot
   * carry are refused (`reject`) or left out and named (`drop`); a body the canonical model cannot
   * read is the client's error.
   */
  private canonical(table: CapabilityTable, policy: UnsupportedPolicy): Translation {
    const key = `${table.api}\u0000${policy}`;
    let translation = this.translations.get(key);
    if (translation === undefined) {
      translation = this.translateBody(table, policy);
      this.translations.set(key, translation);
    }
    return translation;
  }

  private translateBody(table: CapabilityTable, policy: UnsupportedPolicy): Translation {
    const dialect = this.dialect;
    if (dialect.features === undefined) {
      return { unsupported: [dialect.endpoint], error: new LlmError('invalid_request', `${dialect.name} requests are answered only by deployments of the same API`) };
    }
    const json = this.json();
    const missing = uncarried(dialect.features(json), table);
    if (missing.length > 0 && policy === 'reject') return { unsupported: missing };
    try {
      return { request: dialect.toCanonical(missing.length > 0 ? withoutPaths(json, missing) : json), dropped: missing };
    } catch (error) {
      const refusal = error instanceof LlmError ? error : new LlmError('invalid_request', String(error));
      return { unsupported: [refusal.param ?? dialect.endpoint], error: refusal };
    }
  }

  cacheKey(route: string, tenant: string): string {
    // The client's exact bytes: two requests share an answer only when they are the same request.
    this.key ??= `bulwark:cache:${WIRE_KEY_VERSION}:${hash('sha256', Buffer.concat([Buffer.from(`${this.dialect.name}\u0000${route}\u0000${tenant}\u0000`), this.raw]), 'hex')}`;
    return this.key;
  }

  prepare(target: UpstreamTarget, policy: UnsupportedPolicy): UpstreamCall | Unsupported {
    const key = `${target.family}\u0000${target.model}\u0000${policy}\u0000${target.acceptsStreamOptions !== false}`;
    let call = this.calls.get(key);
    if (call === undefined) {
      call = target.family === this.dialect.family ? this.passThrough(target, policy) : this.translate(target, policy);
      this.calls.set(key, call);
    }
    return call;
  }

  /** True when the gateway asks `target` for the stream's usage chunk on the client's behalf (the client did not; the API reports usage only if asked). */
  private asksUsage(target: UpstreamTarget): boolean {
    return this.stream && this.dialect.usageChunk === true && !this.includeUsage && target.acceptsStreamOptions !== false;
  }

  /**
   * The client's bytes with `model` replaced (and the usage chunk asked for on an OpenAI stream).
   * To a server that refuses `stream_options`, none is sent: the client's own is refused for that
   * deployment (`reject`) or left out and named (`drop`).
   */
  private passThrough(target: UpstreamTarget, policy: UnsupportedPolicy): UpstreamCall | Unsupported {
    const raw = this.raw;
    const members = this.scanned.members;
    const edits: Array<{ span: Span; text: string }> = [];
    edits.push({ span: members.get('model')!, text: JSON.stringify(target.model) });
    const clientOptions = members.get('stream_options');
    let dropped: string[] | undefined;
    if (target.acceptsStreamOptions === false && clientOptions !== undefined) {
      if (policy === 'reject') return { unsupported: ['stream_options'] };
      edits.push({ span: memberCut(raw, clientOptions), text: '' });
      dropped = ['stream_options'];
    }
    if (this.asksUsage(target)) {
      const options = members.get('stream_options');
      if (options === undefined) {
        edits.push({ span: { start: this.scanned.closeAt, end: this.scanned.closeAt }, text: ',"stream_options":{"include_usage":true}' });
      } else {
        const value = valueAt(raw, options);
        const merged = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, include_usage: true } : { include_usage: true };
        edits.push({ span: options, text: JSON.stringify(merged) });
      }
    }
    edits.sort((a, b) => a.span.start - b.span.start);
    const body: Buffer[] = [];
    let at = 0;
    for (const edit of edits) {
      if (edit.span.start > at) body.push(raw.subarray(at, edit.span.start));
      body.push(Buffer.from(edit.text));
      at = edit.span.end;
    }
    if (at < raw.length) body.push(raw.subarray(at));
    const call: UpstreamCall = { endpoint: this.dialect.endpoint, model: target.model, body, headers: this.headers, stream: this.stream };
    return dropped === undefined ? call : { ...call, dropped };
  }

  /** The request written for the other API, through the canonical model, checked against that API's capability table. */
  private translate(target: UpstreamTarget, policy: UnsupportedPolicy): UpstreamCall | Unsupported {
    const translation = this.canonical(CHAT_CAPABILITIES[target.family], policy);
    if (translation.request === undefined) return translation;
    const call = canonicalCall({ ...translation.request, model: target.model }, target.family, this.stream, target.acceptsStreamOptions);
    return translation.dropped.length > 0 ? { ...call, dropped: translation.dropped } : call;
  }

  read(reply: UpstreamReply, target: UpstreamTarget): Answer<WireAnswer> {
    if (target.family === this.dialect.family) {
      const scanned = scanJsonObject(reply.body, Infinity);
      if (isScanError(scanned)) throw new LlmError('server_error', `Deployment ${target.deployment} answered with a body that is not JSON (${scanned.error})`);
      const usage = this.dialect.usage(valueAt(reply.body, scanned.members.get('usage')));
      return { value: { status: reply.status, contentType: contentTypeOf(reply.headers), headers: this.passBack(reply.headers), body: reply.body }, usage };
    }
    const response = readCanonicalAnswer(reply, target, Math.floor(this.clock.now() / 1000));
    const body = Buffer.from(this.dialect.answerJson(response));
    return { value: { status: 200, contentType: JSON_CONTENT_TYPE, headers: {}, body }, usage: response.usage };
  }

  decoder(target: UpstreamTarget, options: DecoderOptions): StreamDecoder<Buffer, WireAnswer> {
    const created = Math.floor(this.clock.now() / 1000);
    if (target.family !== this.dialect.family) {
      // prepare() refused this target unless one of these translations succeeded.
      const translation = [this.canonical(CHAT_CAPABILITIES[target.family], 'reject'), this.canonical(CHAT_CAPABILITIES[target.family], 'drop')].find((t) => t.request !== undefined);
      if (translation?.request === undefined) throw new LlmError('internal', `No translation of this request for deployment ${target.deployment}`);
      return TranslatingDecoder.open(translation.request, target, created, this.dialect.encoder(created, this.includeUsage), options.keepAnswer);
    }
    return this.dialect.relay({
      options,
      includeUsage: this.includeUsage,
      stripUsage: this.asksUsage(target),
      continueOn: (next, text, encoder) => {
        // A continuation goes through the canonical model: only a request it carries whole can be continued.
        const { request } = this.canonical(CANONICAL_CAPABILITIES, 'reject');
        return request === undefined ? undefined : TranslatingDecoder.continuation(request, text, next, created, encoder);
      },
    });
  }

  /** The upstream's response headers that pass the dialect's allow-list. */
  passBack(headers: HeaderMap): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name in headers) {
      const value = headers[name];
      const as = value === undefined ? undefined : this.dialect.passBack(name);
      if (as === undefined) continue;
      out[as] = Array.isArray(value) ? value.join(', ') : value!;
    }
    return out;
  }

  usageOf(answer: WireAnswer): Usage | undefined {
    if (answer.contentType.startsWith('text/event-stream')) return undefined;
    const scanned = scanJsonObject(answer.body, Infinity);
    return isScanError(scanned) ? undefined : this.dialect.usage(valueAt(answer.body, scanned.members.get('usage')));
  }

  replay(answer: WireAnswer): Buffer[] {
    return [answer.body];
  }

  defaultAnswer(text: string, requestId: string, nowMs: number): WireAnswer | undefined {
    if (this.dialect.hasDefaultAnswer === false) return undefined;
    const response = defaultChatResponse(text, this.route, requestId, nowMs);
    if (!this.stream) return { status: 200, contentType: JSON_CONTENT_TYPE, headers: {}, body: Buffer.from(this.dialect.answerJson(response)) };
    const encoder: ClientEncoder = this.dialect.encoder(response.created, this.includeUsage);
    let sse = '';
    for (const event of eventsOf(response)) sse += encoder.encode(event);
    return { status: 200, contentType: SSE_CONTENT_TYPE, headers: {}, body: Buffer.from(sse) };
  }

  describe(): ChatRequest | undefined {
    return this.canonical(CANONICAL_CAPABILITIES, 'drop').request;
  }

  describeParams(): { maxTokens?: number; temperature?: number } {
    const { members } = this.scanned;
    const number = (name: string) => {
      const value = valueAt(this.raw, members.get(name));
      return typeof value === 'number' ? value : undefined;
    };
    return { maxTokens: number('max_tokens') ?? number('max_completion_tokens') ?? number('max_output_tokens'), temperature: number('temperature') };
  }

  describeAnswer(answer: WireAnswer): ChatResponse | undefined {
    // The attempt's span and the request's read the same answer: parsed once.
    if (this.described?.answer === answer) return this.described.response;
    let response: ChatResponse | undefined;
    if (!answer.contentType.startsWith('text/event-stream')) {
      try {
        const parsed: unknown = JSON.parse(answer.body.toString('utf8'));
        response = this.dialect.family === 'openai' ? fromOpenAIResponse(parsed) : fromAnthropicResponse(parsed, Math.floor(this.clock.now() / 1000));
      } catch {
        response = undefined;
      }
    }
    this.described = { answer, response };
    return response;
  }

  store(answer: WireAnswer): unknown {
    return storeWireAnswer(answer);
  }

  restore(stored: unknown): WireAnswer | undefined {
    return restoreWireAnswer(stored);
  }
}

/** A client body translated for one API: the canonical request and what was dropped, or why it cannot be. */
type Translation = { request: ChatRequest; dropped: string[]; unsupported?: undefined; error?: undefined } | (Unsupported & { request?: undefined });

function valueAt(bytes: Buffer, span: Span | undefined): unknown {
  return span === undefined ? undefined : parseSpan(bytes, span);
}

function contentTypeOf(headers: HeaderMap): string {
  const value = headers['content-type'];
  return typeof value === 'string' && value !== '' ? value : JSON_CONTENT_TYPE;
}
