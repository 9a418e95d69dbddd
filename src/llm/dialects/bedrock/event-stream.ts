/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), the binary framing of Bedrock's
 * ConverseStream and InvokeModelWithResponseStream answers. Each frame is
 * `total length | headers length | prelude CRC | headers | payload | message CRC`; network chunks
 * split frames anywhere, so bytes are buffered until a whole frame is there. Frame decoding and
 * CRC checks are AWS's own codec (`@smithy/core/event-streams`); this file only cuts frames.
 */
import { EventStreamCodec } from '@smithy/core/event-streams';
import { LlmError } from '../../errors.js';

/** Largest frame accepted (AWS caps event-stream messages at 16 MiB). */
export const MAX_EVENT_STREAM_FRAME_BYTES = 16 * 1024 * 1024;
const PRELUDE_BYTES = 12;
const MIN_FRAME_BYTES = 16;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const codec = new EventStreamCodec((bytes) => utf8Decoder.decode(bytes), (text) => utf8Encoder.encode(text));

/** One decoded frame: its `:message-type` (`event`, `exception`, `error`), type name and payload. */
export interface EventStreamMessage {
  /** `event`, `exception` (a modelled error such as `throttlingException`) or `error`. */
  messageType: string;
  /** `:event-type` of an event, `:exception-type` of an exception, `:error-code` of an error. */
  type: string;
  /** The payload as text (JSON for Bedrock). */
  payload: string;
  /** `:error-message` of an `error` frame. */
  errorMessage?: string;
}

/** Cuts a byte stream into event-stream messages. Feed it chunks; it returns whole messages. */
export class EventStreamDecoder {
  private buffer: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): EventStreamMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const messages: EventStreamMessage[] = [];
    while (this.buffer.length >= PRELUDE_BYTES) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
      const total = view.getUint32(0, false);
      if (total < MIN_FRAME_BYTES || total > MAX_EVENT_STREAM_FRAME_BYTES) {
        throw new LlmError('server_error', `Malformed event stream: a frame of ${total} bytes`);
      }
      if (this.buffer.length < total) break;
      messages.push(decodeFrame(this.buffer.subarray(0, total)));
      this.buffer = this.buffer.subarray(total);
    }
    return messages;
  }

  /** True when bytes of an unfinished frame are buffered (the stream was cut inside a frame). */
  get pending(): boolean {
    return this.buffer.length > 0;
  }
}

function decodeFrame(frame: Uint8Array): EventStreamMessage {
  let decoded;
  try {
    decoded = codec.decode(frame);
  } catch (err) {
    throw new LlmError('server_error', `Malformed event stream frame: ${err instanceof Error ? err.message : String(err)}`);
  }
  const header = (name: string): string | undefined => {
    const h = decoded.headers[name];
    return h !== undefined && h.type === 'string' ? h.value : undefined;
  };
  const messageType = header(':message-type') ?? 'event';
  const type = (messageType === 'event' ? header(':event-type') : messageType === 'exception' ? header(':exception-type') : header(':error-code')) ?? '';
  const message: EventStreamMessage = { messageType, type, payload: utf8Decoder.decode(decoded.body) };
  const errorMessage = header(':error-message');
  if (errorMessage !== undefined) message.errorMessage = errorMessage;
  return message;
}

/**
 * Encodes one event-stream frame (the mock provider and tests speak Bedrock's framing with it).
 *
 * @example encodeEventStreamFrame('event', 'contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"Hi"}}')
 */
export function encodeEventStreamFrame(messageType: 'event' | 'exception', type: string, payload: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: messageType },
      [messageType === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: utf8Encoder.encode(payload),
  });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
