/**
 * Server-sent events: an incremental parser (WHATWG event-stream rules) and writer helpers.
 * The parser accepts chunks split anywhere — inside a field, between CR and LF, inside a
 * multi-byte UTF-8 sequence — and yields complete events only.
 */
import { LlmError } from './errors.js';

/** One dispatched event. `event` is undefined when the stream gave no `event:` field (the spec's "message"). */
export interface SseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

const LF = 10;
const CR = 13;

/**
 * Longest line or event data the parser buffers before failing (a stream that never sends a line
 * break must not grow memory without bound). Default 8 MiB of characters.
 */
export const SSE_MAX_EVENT_CHARS = 8 * 1024 * 1024;

/** Options for {@link SseParser}. */
export interface SseParserOptions {
  /** Default {@link SSE_MAX_EVENT_CHARS}. */
  maxEventChars?: number;
}

/**
 * Incremental SSE parser. Feed it bytes or text as they arrive; it returns the events completed
 * by that chunk. Call {@link SseParser.end} when the body ends (an unterminated trailing event
 * is discarded, as the spec says).
 *
 * @example
 * const parser = new SseParser();
 * for await (const chunk of body) for (const ev of parser.feed(chunk)) handle(ev);
 */
export class SseParser {
  private readonly maxEventChars: number;
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';
  private afterCR = false;
  private first = true;
  private data = '';
  private hasData = false;
  private eventName: string | undefined = undefined;
  private lastId: string | undefined = undefined;

  constructor(options: SseParserOptions = {}) {
    this.maxEventChars = options.maxEventChars ?? SSE_MAX_EVENT_CHARS;
  }

  /**
   * Parses one chunk; returns the events it completed (often none, often one). Throws
   * `LlmError('server_error')` when a line or an event grows past `maxEventChars`.
   */
  feed(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const out: SseEvent[] = [];
    let start = 0;
    const length = text.length;
    if (this.afterCR && length > 0) {
      // A CR ended the previous chunk: an LF right after it belongs to the same line break.
      if (text.charCodeAt(0) === LF) start = 1;
      this.afterCR = false;
    }
    for (let i = start; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      const line = this.partial.length > 0 ? this.partial + text.slice(start, i) : text.slice(start, i);
      this.partial = '';
      this.processLine(line, out);
      if (code === CR) {
        if (i + 1 < length) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else {
          this.afterCR = true;
        }
      }
      start = i + 1;
    }
    if (start < length) this.partial += text.slice(start);
    if (this.partial.length > this.maxEventChars || this.data.length > this.maxEventChars) {
      throw new LlmError('server_error', `Malformed event stream: an event exceeds ${this.maxEventChars} characters`);
    }
    return out;
  }

  /** Ends the stream: flushes the decoder; a trailing event without its blank line is dropped. */
  end(): SseEvent[] {
    const rest = this.decoder.decode();
    const out = rest.length > 0 ? this.feed(rest) : [];
    this.partial = '';
    this.data = '';
    this.hasData = false;
    this.eventName = undefined;
    return out;
  }

  private processLine(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      if (this.hasData) out.push({ event: this.eventName, data: this.data, id: this.lastId });
      this.data = '';
      this.hasData = false;
      this.eventName = undefined;
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon < 0) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'data':
        this.data = this.hasData ? this.data + '\n' + value : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        // `retry` and unknown fields do not matter to an API client.
        break;
    }
  }
}

/**
 * Formats one SSE event. Multi-line data is split into several `data:` lines so it survives
 * the wire intact.
 *
 * @example formatSseEvent('{"a":1}', 'message_start') // 'event: message_start\ndata: {"a":1}\n\n'
 */
export function formatSseEvent(data: string, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) return `${head}data: ${data}\n\n`;
  return `${head}${data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('')}\n`;
}

/** Formats a JSON value as one SSE event. */
export function formatSseJson(value: unknown, event?: string): string {
  return formatSseEvent(JSON.stringify(value), event);
}

/** A comment line: ignored by clients, keeps idle connections and proxies alive. */
export function formatSseComment(text = ''): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** The terminator the OpenAI API sends after its last chunk. */
export const SSE_DONE = 'data: [DONE]\n\n';
