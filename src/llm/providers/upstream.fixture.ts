/**
 * A scriptable local upstream for provider tests: a real node:http server on 127.0.0.1, port 0.
 * Each test sets `handler`; every request is recorded with its body and a promise that settles
 * when the server sees the request's connection close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  res: ServerResponse;
  /** Resolves when the response's connection closes before the response finished (client went away). */
  aborted: Promise<void>;
}

export type Handler = (req: RecordedRequest) => void;

export class Upstream {
  handler: Handler = (r) => r.res.end();
  readonly requests: RecordedRequest[] = [];
  connections = 0;
  private readonly waiters: ((r: RecordedRequest) => void)[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<Upstream> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstream = new Upstream(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => {
      upstream.connections++;
      upstream.sockets.add(socket);
      socket.on('close', () => upstream.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const aborted = new Promise<void>((resolve) => res.on('close', () => {
          if (!res.writableFinished) resolve();
        }));
        const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), res, aborted };
        upstream.requests.push(recorded);
        upstream.waiters.shift()?.(recorded);
        upstream.handler(recorded);
      });
    });
    return upstream;
  }

  /** Resolves with the next request to arrive. */
  nextRequest(): Promise<RecordedRequest> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts an event-stream answer. */
export function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}
