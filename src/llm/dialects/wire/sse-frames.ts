/**
 * Byte-level framing of a server-sent event stream for relaying it as it came: chunks in,
 * complete events out (each with its name and data), and the bytes up to the last complete
 * event — what may be passed on without ever sending half an event. Nothing is decoded that
 * the relay does not ask for.
 */
import { LlmError } from '../../errors.js';
import { SSE_MAX_EVENT_CHARS } from '../../sse.js';

const LF = 0x0a;
const CR = 0x0d;

/** One complete event: its `event:` name (undefined when absent), its joined `data:` payload, and where its bytes lie in {@link FramedChunk.bytes}. */
export interface SseFrame {
  readonly name: string | undefined;
  readonly data: Buffer;
  readonly start: number;
  readonly end: number;
}

/** What one chunk completed: the relayable bytes (complete events only) and those events. */
export interface FramedChunk {
  readonly bytes: Buffer;
  readonly frames: SseFrame[];
}

const EMPTY = Buffer.alloc(0);

/** Splits an event stream into complete events, keeping the bytes of an incomplete one until it completes. */
export class SseFramer {
  private pending: Buffer = EMPTY;

  /** Feeds one chunk. Throws `LlmError('server_error')` when one event grows past {@link SSE_MAX_EVENT_CHARS} bytes. */
  push(chunk: Buffer): FramedChunk {
    const buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: SseFrame[] = [];
    let eventStart = 0;
    let lineStart = 0;
    let name: string | undefined;
    let data: Buffer[] = [];
    const length = buffer.length;
    for (let i = 0; i < length; i++) {
      const c = buffer[i];
      if (c !== LF && c !== CR) continue;
      const lineEnd = i;
      if (c === CR && buffer[i + 1] === LF) i++;
      else if (c === CR && i + 1 === length) break; // a CR at the end: its LF may be in the next chunk
      if (lineEnd === lineStart) {
        // A blank line ends the event.
        if (data.length > 0) frames.push({ name, data: data.length === 1 ? data[0] : joinData(data), start: eventStart, end: i + 1 });
        name = undefined;
        data = [];
        eventStart = i + 1;
      } else {
        const line = buffer.subarray(lineStart, lineEnd);
        if (line[0] !== 0x3a /* comment */) {
          const colon = line.indexOf(0x3a);
          const field = colon < 0 ? line.toString('latin1') : line.toString('latin1', 0, colon);
          let value = colon < 0 ? EMPTY : line.subarray(colon + 1);
          if (value[0] === 0x20) value = value.subarray(1);
          if (field === 'data') data.push(value);
          else if (field === 'event') name = value.toString('utf8');
        }
      }
      lineStart = i + 1;
    }
    this.pending = eventStart < length ? buffer.subarray(eventStart) : EMPTY;
    if (this.pending.length > SSE_MAX_EVENT_CHARS) throw new LlmError('server_error', `Malformed event stream: an event exceeds ${SSE_MAX_EVENT_CHARS} bytes`);
    return { bytes: eventStart === length ? buffer : buffer.subarray(0, eventStart), frames };
  }

  /** True when bytes of an unfinished event are held back. */
  get holding(): boolean {
    return this.pending.length > 0;
  }
}

function joinData(parts: Buffer[]): Buffer {
  const out: Buffer[] = [];
  parts.forEach((part, index) => {
    if (index > 0) out.push(Buffer.from([LF]));
    out.push(part);
  });
  return Buffer.concat(out);
}
