/**
 * A scripted upstream for the security suite: a real node:http server on 127.0.0.1 (port 0)
 * that speaks just enough OpenAI Chat and Anthropic Messages to be a provider. Each test sets
 * `reply`; every request is counted, so a test can assert how many calls reached the upstream.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the upstream saw it. */
export interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** Writes the answer to one request (the default answers a normal completion in the request's API). */
export type Reply = (seen: SeenRequest, res: ServerResponse) => void;

export class ScriptedUpstream {
  readonly seen: SeenRequest[] = [];
  reply: Reply = answerNormally;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<ScriptedUpstream> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstream = new ScriptedUpstream(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => {
      upstream.sockets.add(socket);
      socket.on('close', () => upstream.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          // recorded as an empty body
        }
        const seen = { path: req.url ?? '', headers: req.headers, body };
        upstream.seen.push(seen);
        upstream.reply(seen, res);
      });
    });
    return upstream;
  }

  /** Requests seen on one API path suffix (`/messages` or `/chat/completions`). */
  count(pathEnd?: string): number {
    return pathEnd === undefined ? this.seen.length : this.seen.filter((s) => s.path.endsWith(pathEnd)).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
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
