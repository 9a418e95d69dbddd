/**
 * A recording upstream for the fidelity and security suites: a real node:http server on
 * 127.0.0.1 (port 0) that keeps every request exactly as it arrived (raw body bytes, headers) and
 * answers with whatever the test scripted — a JSON body or event-stream bytes, with any headers —
 * so a test can compare, byte for byte, what the client sent with what the provider received, and
 * what the provider sent with what the client received. A test that needs to write the answer
 * itself (cut a stream, hang, send megabytes) sets {@link RecordingUpstream.respond}
 * (test/security/scripted-upstream.ts builds its provider-shaped answers on that).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the upstream received it. */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  /** The body parsed (undefined when it is not JSON). */
  json: Record<string, unknown> | undefined;
  /** The parsed body, or `{}` when it is not JSON (for tests that read fields without checking). */
  body: Record<string, unknown>;
}

/** Writes the answer to one recorded request. */
export type Responder = (seen: Recorded, res: ServerResponse) => void;

/** A scripted answer: a status, headers, and a body (JSON text, or event-stream chunks written one by one). */
export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Event-stream chunks (content-type text/event-stream unless `headers` says otherwise). */
  chunks?: string[];
}

export class RecordingUpstream {
  readonly requests: Recorded[] = [];
  /** Answers the next requests (the last one repeats). */
  private script: Array<Scripted | ((seen: Recorded) => Scripted)> = [];
  private readonly sockets = new Set<Socket>();
  /** Writes every answer; by default the next answer scripted with {@link answers}. */
  respond: Responder = (seen, res) => this.answer(seen, res);

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<RecordingUpstream> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const upstream = new RecordingUpstream(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => {
      upstream.sockets.add(socket);
      socket.on('close', () => upstream.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        const seen: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json, body: json ?? {} };
        upstream.requests.push(seen);
        upstream.respond(seen, res);
      });
    });
    return upstream;
  }

  /** Scripts the next answers, in order; the last one answers every later request too. */
  answers(...script: Array<Scripted | ((seen: Recorded) => Scripted)>): void {
    this.script = script;
  }

  /** Requests received so far, or those whose path ends with `pathEnd` (`/messages`, `/chat/completions`). */
  count(pathEnd?: string): number {
    return pathEnd === undefined ? this.requests.length : this.requests.filter((s) => s.path.endsWith(pathEnd)).length;
  }

  private answer(seen: Recorded, res: ServerResponse): void {
    const next = this.script.length > 1 ? this.script.shift()! : this.script[0];
    const scripted = typeof next === 'function' ? next(seen) : (next ?? { status: 500, body: '{"error":{"message":"nothing scripted"}}' });
    const headers: Record<string, string> = { ...scripted.headers };
    if (scripted.chunks !== undefined) {
      headers['content-type'] ??= 'text/event-stream';
      res.writeHead(scripted.status ?? 200, headers);
      for (const chunk of scripted.chunks) res.write(chunk);
      res.end();
      return;
    }
    headers['content-type'] ??= 'application/json';
    res.writeHead(scripted.status ?? 200, headers);
    res.end(scripted.body ?? '');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
