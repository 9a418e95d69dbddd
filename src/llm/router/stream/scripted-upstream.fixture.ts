import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test fixture: a tiny Anthropic Messages–compatible streaming upstream that *continues* a
 * prefill, as real Claude models do: the answer is the text after `echo:` in the last user
 * message; when the conversation ends with an assistant message (a prefill), only the rest of
 * the answer after it is streamed. Chunks carry trailing whitespace ("The ", "quick "), so a
 * cut leaves the caller with text ending in a space. It can also break its own stream.
 */
export interface ScriptedUpstream {
  /** Base URL for an `anthropic` provider. */
  url: string;
  /** Parsed JSON bodies received, in order. */
  bodies: Array<{ messages: Array<{ role: string; content: unknown }>; [key: string]: unknown }>;
  /** Break the next streams after `afterDeltas` text deltas: cut the socket, send a garbled event, or stall (socket kept open, nothing more sent). */
  breakAfter(afterDeltas: number | undefined, how?: 'cut' | 'malformed' | 'stall'): void;
  close(): Promise<void>;
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { text?: string }) => p.text ?? '').join('');
  return '';
}

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const bodies: ScriptedUpstream['bodies'] = [];
  let breakAt: number | undefined;
  let breakHow: 'cut' | 'malformed' | 'stall' = 'cut';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      bodies.push(body);
      const messages: Array<{ role: string; content: unknown }> = body.messages;
      const lastUser = [...messages].reverse().find((m) => m.role === 'user');
      const full = textOf(lastUser?.content).replace(/^echo:\s*/, '');
      const last = messages[messages.length - 1];
      const prefill = last.role === 'assistant' ? textOf(last.content) : '';
      const rest = prefill !== '' && full.startsWith(prefill) ? full.slice(prefill.length) : full;
      const pieces = rest.match(/\S+\s*|\s+/g) ?? [];
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let out = sse('message_start', { type: 'message_start', message: { id: `msg_${bodies.length}`, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } });
      out += sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      for (let i = 0; i < pieces.length; i++) {
        if (breakAt !== undefined && i === breakAt) {
          if (breakHow === 'malformed') out += 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_d\n\n';
          if (breakHow === 'stall') res.write(out);
          else res.write(out, () => res.socket?.destroy());
          return;
        }
        out += sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: pieces[i] } });
      }
      out += sse('content_block_stop', { type: 'content_block_stop', index: 0 });
      out += sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: pieces.length } });
      out += sse('message_stop', { type: 'message_stop' });
      res.end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    breakAfter(afterDeltas, how = 'cut') {
      breakAt = afterDeltas;
      breakHow = how;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
