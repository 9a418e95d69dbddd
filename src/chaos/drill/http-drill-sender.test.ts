import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { drillHttpSender } from './http-drill-sender.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: { stream?: boolean }) => void;

let servers: Server[] = [];
let senders: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(senders.map((s) => s.close()));
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
  senders = [];
});

async function listen(handler: Handler, port = 0): Promise<number> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => handler(req, res, JSON.parse(text)));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function sender(port: number, clock?: FakeClock) {
  const s = drillHttpSender({ url: `http://127.0.0.1:${port}`, model: 'gpt-4', clock });
  senders.push(s);
  return s;
}

const served = (servedBy: string, depth: number) => ({ 'content-type': 'application/json', 'x-bulwark-served-by': servedBy, 'x-bulwark-fallback-depth': String(depth) });
const signal = () => AbortSignal.timeout(5_000);

describe('the drill HTTP client', () => {
  it('classifies answers by x-bulwark-served-by and x-bulwark-fallback-depth, errors by status', async () => {
    const answers: Array<[number, Record<string, string>]> = [
      [200, served('primary-east-1', 0)], [200, served('secondary-1', 1)], [200, served('cache', 2)], [200, served('default', 2)], [503, { 'content-type': 'application/json' }],
    ];
    let next = 0;
    const port = await listen((_req, res) => {
      const [status, headers] = answers[next++];
      res.writeHead(status, headers).end('{}');
    });
    const s = sender(port);
    const results = [];
    for (let i = 0; i < answers.length; i++) results.push(await s.send(i, false, signal()));
    expect(results).toEqual([
      { step: 'primary', servedBy: 'primary-east-1', status: 200 },
      { step: 'secondary', servedBy: 'secondary-1', status: 200 },
      { step: 'cache', servedBy: 'cache', status: 200 },
      { step: 'default', servedBy: 'default', status: 200 },
      { step: 'error', status: 503, error: 'http_503' },
    ]);
  });

  it("names a clear error by the gateway's error code, so a report says which layer answered", async () => {
    const port = await listen((_req, res) => res.writeHead(503, { 'content-type': 'application/json' })
      .end('{"error":{"message":"Concurrency limit 10 reached; request shed","type":"server_error","code":"BULWARK_ERR_CONCURRENCY_LIMITED"}}'));
    expect(await sender(port).send(0, false, signal())).toEqual({ step: 'error', status: 503, error: 'http_503:BULWARK_ERR_CONCURRENCY_LIMITED' });
  });

  it('counts a 200 whose body is not JSON as lost (neither an answer nor a clear error)', async () => {
    const port = await listen((_req, res) => res.writeHead(200, served('primary-east-1', 0)).end('{"choices":[{"mes'));
    expect(await sender(port).send(0, false, signal())).toEqual({ step: 'lost', servedBy: 'primary-east-1', status: 200, error: 'malformed_body' });
  });

  it('counts a complete stream as answered, an SSE error event as a clear error, a stream cut short as lost', async () => {
    const bodies = ['data: {"x":1}\n\ndata: [DONE]\n\n', 'data: {"x":1}\n\ndata: {"error":{"message":"broke"}}\n\n', 'data: {"x":1}\n\n'];
    let next = 0;
    const port = await listen((_req, res) => {
      res.writeHead(200, { ...served('primary-east-2', 0), 'content-type': 'text/event-stream' });
      res.end(bodies[next++]);
    });
    const s = sender(port);
    expect(await s.send(0, true, signal())).toEqual({ step: 'primary', servedBy: 'primary-east-2', status: 200 });
    expect(await s.send(1, true, signal())).toMatchObject({ step: 'error', error: 'stream_error_event' });
    expect(await s.send(2, true, signal())).toMatchObject({ step: 'lost', error: 'stream_incomplete' });
  });

  it('retries a refused connection until the gateway listens again (within the request timeout)', async () => {
    const port = await listen((_req, res) => res.end());
    servers[0].closeAllConnections();
    await new Promise((resolve) => servers.shift()!.close(resolve));
    const clock = new FakeClock();
    const pending = sender(port, clock).send(3, false, signal());
    // Refused: the client is now pausing before its next attempt.
    while (clock.pendingTimers === 0) await new Promise((resolve) => setImmediate(resolve));
    await listen((_req, res) => res.writeHead(200, served('primary-east-1', 0)).end('{}'), port);
    await clock.advance(50);
    expect(await pending).toEqual({ step: 'primary', servedBy: 'primary-east-1', status: 200 });
  });

  it('reports a request that never got a server before its timeout as lost', async () => {
    const port = await listen((_req, res) => res.end());
    servers[0].closeAllConnections();
    await new Promise((resolve) => servers.shift()!.close(resolve));
    const clock = new FakeClock();
    const controller = new AbortController();
    const pending = sender(port, clock).send(0, false, controller.signal);
    while (clock.pendingTimers === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('client timeout'));
    expect(await pending).toEqual({ step: 'lost', status: 0, error: 'timeout_after_ECONNREFUSED' });
  });
});
