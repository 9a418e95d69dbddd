import type { StreamContinuation, StreamDecoder, UpstreamTarget } from '../../exchange.js';
import type { StreamEvent, Usage } from '../../types.js';
import { AnswerAccumulator } from '../canonical/answer-accumulator.js';
import { CanonicalStreamDecoder } from '../canonical/stream-decoder.js';
import type { ChatRequest } from '../../types.js';
import { SSE_CONTENT_TYPE, type WireAnswer } from './wire-answer.js';
import type { ClientEncoder } from './wire-dialect.js';

/**
 * A stream from a deployment of the other API, translated: decoded into canonical events and
 * encoded in the client's format. Also continues a broken stream (relayed or translated): the
 * continuation shares the encoder, so its events carry on where the client's stream stopped.
 */
export class TranslatingDecoder implements StreamDecoder<Buffer, WireAnswer> {
  private readonly kept: Buffer[] | undefined;
  /** A continuation's notice, sent once before its first bytes (see {@link continuationNotice}). */
  private notice: string | undefined;

  constructor(
    private readonly inner: CanonicalStreamDecoder,
    private readonly encoder: ClientEncoder,
    private readonly headers: Readonly<Record<string, string>>,
    keepAnswer: boolean,
    private readonly continuing: boolean,
    continuedBy?: string,
  ) {
    this.kept = keepAnswer && !continuing ? [] : undefined;
    this.notice = continuedBy === undefined ? undefined : continuationNotice(continuedBy);
  }

  /** A fresh translating decoder for a stream of `request` from `target`. */
  static open(request: ChatRequest, target: UpstreamTarget, createdSeconds: number, encoder: ClientEncoder, keepAnswer: boolean): TranslatingDecoder {
    const inner = new CanonicalStreamDecoder(request, target, new AnswerAccumulator(createdSeconds), false, false);
    return new TranslatingDecoder(inner, encoder, {}, keepAnswer, false);
  }

  /** The continuation on `target` of an answer whose text so far is `text`, encoded by `encoder`. */
  static continuation(request: ChatRequest, text: string, target: UpstreamTarget, createdSeconds: number, encoder: ClientEncoder): StreamContinuation<Buffer, WireAnswer> {
    const accumulator = new AnswerAccumulator(createdSeconds);
    accumulator.text = text;
    const { call, decoder } = CanonicalStreamDecoder.continuation(request, accumulator, target);
    return { call, decoder: new TranslatingDecoder(decoder, encoder, {}, false, true, target.deployment) };
  }

  get started(): boolean {
    return this.inner.started;
  }

  get finished(): boolean {
    return this.inner.finished;
  }

  get usage(): Usage | undefined {
    return this.inner.usage;
  }

  get text(): string {
    return this.inner.text;
  }

  get responseModel(): string | undefined {
    return this.inner.responseModel;
  }

  get hasToolCalls(): boolean {
    return this.inner.hasToolCalls;
  }

  get tooLarge(): boolean {
    return this.inner.tooLarge;
  }

  push(chunk: Buffer): Buffer[] {
    return this.encode(this.inner.push(chunk));
  }

  end(): Buffer[] {
    return this.encode(this.inner.end());
  }

  private encode(events: StreamEvent[]): Buffer[] {
    let text = '';
    for (const event of events) text += this.encoder.encode(event);
    if (text === '') return [];
    if (this.notice !== undefined) {
      text = this.notice + text;
      this.notice = undefined;
    }
    const bytes = Buffer.from(text);
    if (!this.inner.tooLarge) this.kept?.push(bytes);
    return [bytes];
  }

  answer(): WireAnswer | undefined {
    if (this.kept === undefined || !this.finished || this.inner.tooLarge) return undefined;
    return { status: 200, contentType: SSE_CONTENT_TYPE, headers: this.headers, body: Buffer.concat(this.kept) };
  }

  continueOn(target: UpstreamTarget): StreamContinuation<Buffer, WireAnswer> | undefined {
    const next = this.inner.continueOn(target);
    if (next === undefined) return undefined;
    return { call: next.call, decoder: new TranslatingDecoder(next.decoder, this.encoder, {}, false, true, target.deployment) };
  }
}

/**
 * What a client reads where a broken stream goes on from another deployment: an SSE comment
 * (every SDK skips it; the headers, sent at the first token, still name the first deployment),
 * so the stitch is said in the stream itself, never silent.
 */
export function continuationNotice(deployment: string): string {
  return `: bulwark: the stream broke; continued by deployment ${deployment.replace(/[\r\n]/g, ' ')} (degraded)\n\n`;
}
