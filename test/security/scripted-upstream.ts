/**
 * A scripted upstream for the security suite: the recording upstream (a real node:http server on
 * 127.0.0.1, port 0) speaking just enough OpenAI Chat and Anthropic Messages to be a provider.
 * Each test sets `reply`; every request is kept, so a test can assert how many calls reached it.
 */
import type { ServerResponse } from 'node:http';
import { RecordingUpstream, type Recorded } from '../gateway/recording-upstream.js';

/** One request as the upstream saw it (`body`: the parsed JSON, `{}` when it was not JSON). */
export type SeenRequest = Recorded;

/** Writes the answer to one request (the default answers a normal completion in the request's API). */
export type Reply = (seen: SeenRequest, res: ServerResponse) => void;

/** The recording upstream of the fidelity suite, answering like a provider through a settable `reply`. */
export class ScriptedUpstream {
  reply: Reply = answerNormally;
  private constructor(private readonly upstream: RecordingUpstream) {
    upstream.respond = (seen, res) => this.reply(seen, res);
  }

  static async start(): Promise<ScriptedUpstream> {
    return new ScriptedUpstream(await RecordingUpstream.start());
  }

  get url(): string {
    return this.upstream.url;
  }

  /** Every request received, in order. */
  get seen(): readonly SeenRequest[] {
    return this.upstream.requests;
  }

  /** Requests seen on one API path suffix (`/messages` or `/chat/completions`). */
  count(pathEnd?: string): number {
    return this.upstream.count(pathEnd);
  }

  close(): Promise<void> {
    return this.upstream.close();
  }
}

/** True when the request is for the Anthropic Messages API. */
export function isAnthropic(seen: SeenRequest): boolean {
  return seen.path.endsWith('/messages');
}

/** A normal, short completion in the request's API, streamed when asked. */
export function answerNormally(seen: SeenRequest, res: ServerResponse): void {
  const model = String(seen.body.model ?? 'model');
  if (seen.body.stream === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of normalStream(seen)) res.write(event);
    res.end();
    return;
  }
  const body = isAnthropic(seen)
    ? { id: 'msg_1', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'hello' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } }
    : { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The SSE events of a normal streamed answer ("hello"), in the request's API. */
export function normalStream(seen: SeenRequest): string[] {
  const model = String(seen.body.model ?? 'model');
  if (isAnthropic(seen)) {
    return [
      sse('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } } }),
      sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hello' } }),
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } }),
      sse('message_stop', { type: 'message_stop' }),
    ];
  }
  const chunk = (delta: object, finish: string | null) => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  return [
    `data: ${JSON.stringify(chunk({ role: 'assistant', content: '' }, null))}\n\n`,
    `data: ${JSON.stringify(chunk({ content: 'hello' }, null))}\n\n`,
    `data: ${JSON.stringify(chunk({}, 'stop'))}\n\n`,
    'data: [DONE]\n\n',
  ];
}

/** One SSE event with an event name (Anthropic) or without (OpenAI: pass undefined). */
export function sse(event: string | undefined, data: unknown): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;
}
