import type { StreamContinuation, StreamDecoder, UpstreamTarget } from '../../exchange.js';
import type { Usage } from '../../types.js';
import { KeptAnswer } from './kept-answer.js';
import { SseFramer, type SseFrame } from './sse-frames.js';
import { SSE_CONTENT_TYPE, type WireAnswer } from './wire-answer.js';

/**
 * The framing loop every same-API stream relay shares (OpenAI Chat and legacy completions,
 * Anthropic Messages, OpenAI Responses): raw upstream bytes in, whole SSE events out as the
 * provider sent them, each observed by the dialect ({@link observe}). The bytes relayed are the
 * upstream's own — a slice of what arrived, minus the events a dialect drops — and stop after
 * the event that ends the answer. An event the dialect finds bad (an in-stream error, malformed
 * data) ends the relay there: the events before it still reach the client, the error comes with
 * the next read (or at once when it is the first event of the chunk).
 */
export abstract class SseRelay implements StreamDecoder<Buffer, WireAnswer> {
  private readonly framer = new SseFramer();
  started = false;
  finished = false;
  hasToolCalls = false;
  abstract readonly usage: Usage | undefined;
  protected readonly kept: KeptAnswer;
  private pending: unknown = undefined;

  /** @param keepAnswer keep the bytes for the cache; @param trackText keep the text for a continuation. */
  constructor(keepAnswer: boolean, trackText: boolean) {
    this.kept = new KeptAnswer(keepAnswer, trackText);
  }

  /** The text relayed so far (only when tracked for a continuation). */
  get text(): string {
    return this.kept.text;
  }

  /** True once the answer outgrew what is kept for the cache (it still reaches the caller whole). */
  get tooLarge(): boolean {
    return this.kept.tooLarge;
  }

  /** True while the framer holds the start of an event whose end has not arrived. */
  protected get holdingEvent(): boolean {
    return this.framer.holding;
  }

  /**
   * Observes one whole event: sets `started`, `finished`, usage…; true when the event is not to
   * be relayed (a usage chunk asked for on the client's behalf). Throws an `LlmError` for an
   * in-stream error or a malformed event.
   */
  protected abstract observe(frame: SseFrame): boolean;

  /** The stream's body ended before the answer did (called only when not `finished`): the last units, or throws. */
  protected abstract endUnfinished(): Buffer[];

  abstract continueOn(target: UpstreamTarget): StreamContinuation<Buffer, WireAnswer> | undefined;

  push(chunk: Buffer): Buffer[] {
    if (this.pending !== undefined) throw this.takePending();
    if (this.finished) return [];
    const { bytes, frames } = this.framer.push(chunk);
    let dropped: SseFrame[] | undefined;
    let until = bytes.length;
    for (const frame of frames) {
      let drop: boolean;
      try {
        drop = this.observe(frame);
      } catch (error) {
        if (frame.start === 0) throw error;
        this.pending = error;
        until = frame.start;
        break;
      }
      if (drop) (dropped ??= []).push(frame);
      if (this.finished) {
        until = frame.end;
        break;
      }
    }
    return this.units(bytes.subarray(0, until), dropped);
  }

  end(): Buffer[] {
    if (this.pending !== undefined) throw this.takePending();
    if (this.finished) return [];
    return this.endUnfinished();
  }

  answer(): WireAnswer | undefined {
    const body = this.finished ? this.kept.bytes() : undefined;
    return body === undefined ? undefined : { status: 200, contentType: SSE_CONTENT_TYPE, headers: {}, body };
  }

  private takePending(): unknown {
    const error = this.pending;
    this.pending = undefined;
    return error;
  }

  /** The relayed bytes minus the dropped events. */
  private units(bytes: Buffer, dropped: SseFrame[] | undefined): Buffer[] {
    let out = bytes;
    if (dropped !== undefined) {
      const parts: Buffer[] = [];
      let at = 0;
      for (const frame of dropped) {
        if (frame.start >= bytes.length) break;
        parts.push(bytes.subarray(at, frame.start));
        at = frame.end;
      }
      parts.push(bytes.subarray(Math.min(at, bytes.length)));
      out = Buffer.concat(parts);
    }
    if (out.length === 0) return [];
    this.kept.addBytes(out);
    return [out];
  }
}
