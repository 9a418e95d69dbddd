import { classifyStreamError } from '../../classify.js';
import { LlmError } from '../../errors.js';
import type { StreamContinuation } from '../../exchange.js';
import type { Usage } from '../../types.js';
import { isObject } from '../check.js';
import type { SseFrame } from '../wire/sse-frames.js';
import { SseRelay } from '../wire/sse-relay.js';
import type { WireAnswer } from '../wire/wire-answer.js';
import type { RelayContext } from '../wire/wire-dialect.js';
import { responsesUsage } from './usage.js';

/** Events that say nothing about the answer yet. */
const PREAMBLE = new Set(['response.created', 'response.in_progress', 'response.queued']);
/** Events that end a Responses stream. */
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);
const TYPE_FIELD = Buffer.from('"type":"');

/**
 * Relays an OpenAI Responses stream (`POST /v1/responses`, `stream: true`) as the provider sent
 * it, event for event, observing on the way: the response id (`response.created`, for
 * state-bound routing), the first output event, a function call, usage and the end
 * (`response.completed`/`incomplete`), and failures (`response.failed`, `error`) as LlmErrors.
 * Only the first events and the terminal one are parsed; deltas pass as bytes. A Responses
 * answer is never continued on another deployment (its id and stored state live on the first).
 */
export class ResponsesRelay extends SseRelay {
  usage: Usage | undefined = undefined;
  /** The response id, once `response.created` was relayed. */
  responseId: string | undefined = undefined;
  /** The model named by `response.created`. */
  responseModel: string | undefined = undefined;
  /** Called once with the response id (the exchange records where the response is stored). */
  onResponseId: ((id: string) => void) | undefined = undefined;

  constructor(context: RelayContext) {
    super(context.options.keepAnswer, false);
  }

  /** The event's type: its `event:` name, else the `type` member of its data (servers that omit the name). */
  private typeOf(name: string | undefined, data: Buffer): string {
    if (name !== undefined) return name;
    const at = data.indexOf(TYPE_FIELD);
    if (at < 0) return '';
    const start = at + TYPE_FIELD.length;
    return data.toString('utf8', start, data.indexOf(0x22, start));
  }

  protected observe(frame: SseFrame): boolean {
    const type = this.typeOf(frame.name, frame.data);
    if (TERMINAL.has(type) || this.responseId === undefined || type === 'response.output_item.added') this.inspect(type, frame.data);
    if (!PREAMBLE.has(type)) this.started = true;
    return false;
  }

  /** Parses one event that matters: the first, an output item, the last. Throws for a failure. */
  private inspect(type: string, data: Buffer): void {
    let event: unknown;
    try {
      event = JSON.parse(data.toString('utf8'));
    } catch {
      throw new LlmError('server_error', 'Malformed OpenAI Responses stream: an event is not valid JSON');
    }
    if (!isObject(event)) throw new LlmError('server_error', 'Malformed OpenAI Responses stream: an event is not an object');
    if (type === 'error') throw classifyStreamError({ error: event }, { source: 'OpenAI' });
    const response = isObject(event.response) ? event.response : undefined;
    if (this.responseId === undefined && typeof response?.id === 'string') {
      this.responseId = response.id;
      if (typeof response.model === 'string') this.responseModel = response.model;
      this.onResponseId?.(response.id);
    }
    if (type === 'response.failed') {
      const error = isObject(response?.error) ? response.error : { message: 'the response failed' };
      throw classifyStreamError({ error: { type: 'server_error', ...error } }, { source: 'OpenAI' });
    }
    if (type === 'response.output_item.added' && isObject(event.item) && event.item.type === 'function_call') this.hasToolCalls = true;
    if (type === 'response.completed' || type === 'response.incomplete') {
      this.usage = responsesUsage(response?.usage);
      this.finished = true;
    }
  }

  protected endUnfinished(): Buffer[] {
    throw new LlmError('connection', 'OpenAI Responses stream ended before response.completed');
  }

  continueOn(): StreamContinuation<Buffer, WireAnswer> | undefined {
    return undefined;
  }
}
