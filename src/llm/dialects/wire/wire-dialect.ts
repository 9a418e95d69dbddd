import type { ApiFamily, DecoderOptions, StreamDecoder, StreamContinuation, UpstreamTarget } from '../../exchange.js';
import type { ChatRequest, ChatResponse, StreamEvent, Usage } from '../../types.js';
import type { CapabilityTable, FeatureUse } from '../capabilities.js';
import type { WireAnswer } from './wire-answer.js';

/** Encodes canonical events in the client's stream format (a translated or continued answer). */
export interface ClientEncoder {
  encode(event: StreamEvent): string;
}

/** What a relay needs besides its options: what the client asked for, and how to continue after a break. */
export interface RelayContext {
  readonly options: DecoderOptions;
  /** The client asked for the usage chunk of a stream (OpenAI `stream_options.include_usage`). */
  readonly includeUsage: boolean;
  /** The gateway asked for usage on the client's behalf: the usage chunk is observed, not relayed. */
  readonly stripUsage: boolean;
  /**
   * A continuation of this answer on `target` after a break, whose units are encoded by
   * `encoder` (resumed where the relayed stream stopped); undefined when it cannot be continued.
   */
  continueOn(target: UpstreamTarget, text: string, encoder: ClientEncoder): StreamContinuation<Buffer, WireAnswer> | undefined;
}

/** The canonical view of a client body, for translating it to the other API. */
export interface CanonicalView {
  readonly request: ChatRequest;
}

/**
 * One client API as the gateway and `bulwarkFetch` speak it (OpenAI Chat Completions,
 * Anthropic Messages): what passes through untouched to a deployment of the same API, what is
 * observed, and how a request and its answer are translated for a deployment of the other API.
 */
export interface WireDialect {
  readonly name: 'openai-chat' | 'anthropic-messages' | 'openai-responses' | 'openai-embeddings' | 'openai-completions' | 'anthropic-count-tokens';
  readonly family: ApiFamily;
  /** The endpoint under the API root. */
  readonly endpoint: string;
  /**
   * True when a stream reports usage only if asked (`stream_options.include_usage`: OpenAI Chat,
   * legacy completions): the gateway then asks on the client's behalf and does not relay it.
   */
  readonly usageChunk?: boolean;
  /** False when the API has no default answer (embeddings, count_tokens): a route's `defaultResponse` does not apply. */
  readonly hasDefaultAnswer?: boolean;
  /** Request headers of the API forwarded to a deployment of the same API (the documented allow-list). */
  readonly forwardHeaders: readonly string[];
  /**
   * The name under which a response header of the API is handed back to the client (the
   * documented allow-list), or undefined when it is not. The upstream's request id comes back as
   * `x-upstream-request-id`: `x-request-id` and `request-id` are the gateway's own.
   */
  passBack(name: string): string | undefined;
  /** Token usage from a same-API answer's `usage` member. */
  usage(member: unknown): Usage | undefined;
  /** The decoder relaying a same-API stream as it came. */
  relay(context: RelayContext): StreamDecoder<Buffer, WireAnswer>;
  /** The client body as a canonical request (throws a `bad_request` LlmError naming the field it cannot read). */
  toCanonical(body: unknown): ChatRequest;
  /**
   * The features a client body uses, at their paths (see `capabilities.ts`): what a translation
   * checks against the other API's capability table. Absent: the API is never translated.
   */
  features?(body: unknown): FeatureUse[];
  /** What a request translated INTO this API can carry (absent: nothing is translated into it). */
  readonly capabilities?: CapabilityTable;
  /** A canonical answer as this API's JSON answer. */
  answerJson(response: ChatResponse): string;
  /** A fresh stream encoder for this API. */
  encoder(createdSeconds: number, includeUsage: boolean): ClientEncoder;
}
