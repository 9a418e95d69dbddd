/**
 * The router's view of one request, whatever API the caller speaks. The router routes on a
 * handful of facts (`route`, `stream`) and observes a handful more (usage, the end of a stream,
 * errors); everything else belongs to the exchange, built by the caller's dialect: how the
 * request is sent to a deployment (as it came when the deployment speaks the caller's API,
 * translated when it does not), and how the answer is handed back (as the provider sent it, or
 * translated). See docs/gateway.md ("How a request is sent upstream") and
 * /work/shared/ARCHITECTURE.md.
 */
import type { ChatRequest, ChatResponse, Usage } from './types.js';

/** Response headers as received (Node's `IncomingHttpHeaders` fits). */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** The wire API a provider speaks (the dialect family of its endpoints). */
export type ApiFamily = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

/** The deployment an exchange is asked to prepare a call for. */
export interface UpstreamTarget {
  readonly family: ApiFamily;
  /** The upstream model name (the deployment's `model`). */
  readonly model: string;
  /** Deployment id (for error messages). */
  readonly deployment: string;
  /**
   * False when the deployment's API refuses `stream_options` (an OpenAI-compatible preset such
   * as Mistral, see `openai-compatible-presets.ts`): none is sent there, and a stream's usage is
   * whatever the upstream reports unasked (or unknown). Default true.
   */
  readonly acceptsStreamOptions?: boolean;
}

/** What a route does with a field a deployment's API cannot carry (per route `onUnsupported`). */
export type UnsupportedPolicy = 'reject' | 'drop';

/** One upstream HTTP call, prepared by an exchange for one deployment. */
export interface UpstreamCall {
  /** The endpoint under the provider's API root, e.g. `chat/completions`, `messages`, `embeddings`. */
  readonly endpoint: string;
  /** Default `POST`. */
  readonly method?: 'POST' | 'GET' | 'DELETE';
  /** The upstream model name (Azure puts it in the path). */
  readonly model: string;
  /**
   * The body as slices of bytes, sent one after the other: same-API calls reuse slices of the
   * client's own body (no copy), with only the changed fields as new slices.
   */
  readonly body?: readonly Uint8Array[];
  /** Headers of the API for this call (forwarded from the client by the allow-list); the provider adds auth and defaults. */
  readonly headers?: Readonly<Record<string, string>>;
  /** True for a streaming call (the provider expects `text/event-stream`). */
  readonly stream: boolean;
  /** Fields dropped to fit this deployment's API (route `onUnsupported: drop`), as paths. */
  readonly dropped?: readonly string[];
}

/** A deployment's API cannot carry these fields of the request (paths such as `thinking`, `messages[2].content[0]`). */
export interface Unsupported {
  readonly unsupported: readonly string[];
  /** The client's error when the request is invalid for that API (answered as is when no deployment can carry the request). */
  readonly error?: Error;
}

/** A successful (2xx) non-streaming upstream answer, unread. */
export interface UpstreamReply {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: Buffer;
}

/** An open upstream stream (2xx, event stream): its raw bytes, read chunk by chunk. */
export interface UpstreamBody {
  readonly status: number;
  readonly headers: HeaderMap;
  /** The next raw chunk; throws an `LlmError` when the connection breaks or a watchdog fires. */
  next(): Promise<IteratorResult<Buffer>>;
  /**
   * Lets the body go, exactly once: `complete` = the answer ended properly (the rest is drained
   * so the socket returns to the pool); otherwise the connection is cut.
   */
  close(complete: boolean): void;
}

/** A non-streaming answer as the router carries it: the caller's value plus what was observed. */
export interface Answer<A> {
  readonly value: A;
  /** Token usage read from the answer (TPM budgets, metrics); undefined when the answer has none. */
  readonly usage: Usage | undefined;
}

/** How a streamed answer is continued on another deployment after a break. */
export interface StreamContinuation<U, A> {
  readonly call: UpstreamCall;
  /** Decodes the continuation's stream into units that continue what the caller already has. */
  readonly decoder: StreamDecoder<U, A>;
}

/** What the router asks of a stream decoder beyond relaying units. */
export interface DecoderOptions {
  /** Track the answer's text (for continuing a broken stream on another deployment). */
  readonly trackText: boolean;
  /** Keep what is needed to store the finished answer in the cache ({@link StreamDecoder.answer}). */
  readonly keepAnswer: boolean;
}

/**
 * Reads one upstream stream and produces the units handed to the caller (raw bytes on the
 * same-API path, translated events otherwise), observing what the router needs on the way.
 */
export interface StreamDecoder<U, A> {
  /** Raw upstream bytes in, units for the caller out (often none). Throws an `LlmError` for an in-stream error or a malformed stream. */
  push(chunk: Buffer): U[];
  /** The upstream body ended: the last units. */
  end(): U[];
  /** True once the answer's first token (content of any kind) was decoded. */
  readonly started: boolean;
  /** True once the answer's end was decoded (nothing more will follow that matters). */
  readonly finished: boolean;
  /** Token usage, once reported by the stream. */
  readonly usage: Usage | undefined;
  /** The model the upstream says answered, once its stream said so (read for the attempt's span). */
  readonly responseModel?: string;
  /** The text relayed so far (only with `trackText`). */
  readonly text: string;
  /** True once a tool call started (a partial tool call cannot be continued by another model). */
  readonly hasToolCalls: boolean;
  /**
   * True once the answer outgrew what is kept of it (`MAX_ACCUMULATED_ANSWER_CHARS`): it still
   * reaches the caller whole, but is neither cached nor continued elsewhere.
   */
  readonly tooLarge: boolean;
  /** The finished answer for the cache (only with `keepAnswer`, once `finished`). */
  answer(): A | undefined;
  /**
   * After this stream broke: the call that asks `target` to finish the answer, and the decoder
   * whose units continue it; undefined when this exchange cannot be continued there.
   */
  continueOn(target: UpstreamTarget): StreamContinuation<U, A> | undefined;
}

/**
 * One request as the router sees it. `A` is a complete answer as the caller receives it (and as
 * the cache stores it), `U` a unit of a streamed answer.
 */
export interface Exchange<A, U> {
  /** The route (or model group) asked for. */
  readonly route: string;
  readonly stream: boolean;
  /** The cache key for this request and `tenant` on `route` (called only when the route uses the cache). */
  cacheKey(route: string, tenant: string): string;
  /**
   * The call for `target`, or the fields its API cannot carry (`policy: reject`); with
   * `policy: drop` those fields are left out and named in `UpstreamCall.dropped`.
   */
  prepare(target: UpstreamTarget, policy: UnsupportedPolicy): UpstreamCall | Unsupported;
  /** Reads a 2xx non-streaming reply; throws an `LlmError` for a malformed one. */
  read(reply: UpstreamReply, target: UpstreamTarget): Answer<A>;
  /** A fresh decoder for one upstream stream from `target`. */
  decoder(target: UpstreamTarget, options: DecoderOptions): StreamDecoder<U, A>;
  /** Usage recorded in a stored answer (cache hits, for metrics). */
  usageOf(answer: A): Usage | undefined;
  /** A stored answer as stream units (a cache hit or default answer replayed). */
  replay(answer: A): U[];
  /**
   * The route's default answer, rendered for this caller (`text` already has its placeholders
   * filled); undefined when this kind of request has none (embeddings, a request bound to a
   * stored response): the chain's last error is then the answer.
   */
  defaultAnswer(text: string, requestId: string, nowMs: number): A | undefined;
  /** The request as the canonical model reads it, for traces (called only when a trace records; undefined when it cannot be read so). */
  describe?(): ChatRequest | undefined;
  /**
   * The request's generation parameters, for traces — read without translating the request (an
   * exchange without it is described through {@link describe}).
   */
  describeParams?(): { maxTokens?: number; temperature?: number };
  /** An answer as the canonical model reads it, for traces (called only when a trace records). */
  describeAnswer?(answer: A): ChatResponse | undefined;
  /** The value kept in the cache for `answer`, and back (undefined: not one of this exchange's answers). */
  store(answer: A): unknown;
  restore(stored: unknown): A | undefined;
}

/** True when `prepare` refused the target. */
export function isUnsupported(value: UpstreamCall | Unsupported): value is Unsupported {
  return (value as Unsupported).unsupported !== undefined;
}
