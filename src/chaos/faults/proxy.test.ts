import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { type FaultProxy, startFaultProxy } from './proxy.js';
import { ToxicConnection } from './toxic-stream.js';
import { parseToxicShorthand } from './toxics.js';

// Real sockets; toxic timing runs on a FakeClock, so no test waits for a delay to pass.
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Polls (real event-loop turns, bounded) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function upstreamTcp(onConnection: (socket: Socket) => void): Promise<number> {
  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

const echo = (socket: Socket) => socket.pipe(socket);

async function proxyFor(port: number, extra: Partial<Parameters<typeof startFaultProxy>[0]> = {}): Promise<{ proxy: FaultProxy; clock: FakeClock }> {
  const clock = new FakeClock(0);
  const proxy = await startFaultProxy({ upstream: `127.0.0.1:${port}`, clock, random: seededRandom(7), ...extra });
  cleanup.push(() => proxy.close());
  return { proxy, clock };
}

function client(proxy: FaultProxy) {
  const socket = connect(proxy.port, '127.0.0.1');
  const state = { data: Buffer.alloc(0), chunks: 0, ended: false, closed: false, error: undefined as NodeJS.ErrnoException | undefined };
  socket.on('data', (d: Buffer) => { state.data = Buffer.concat([state.data, d]); state.chunks++; });
  socket.on('end', () => { state.ended = true; });
  socket.on('close', () => { state.closed = true; });
  socket.on('error', (e) => { state.error = e; });
  cleanup.push(() => { socket.destroy(); });
  return { socket, state };
}

describe('fault proxy, TCP toxics over real sockets', () => {
  it('passes bytes through untouched when no toxic is set', async () => {
    const { proxy } = await proxyFor(await upstreamTcp(echo));
    const { socket, state } = client(proxy);
    socket.write('hello');
    await until(() => state.data.toString() === 'hello', 'echo');
  });

  it('latency delays each chunk by latencyMs', async () => {
    const { proxy, clock } = await proxyFor(await upstreamTcp(echo));
    proxy.addToxic({ name: 'slow', type: 'latency', attributes: { latencyMs: 500 } });
    const { socket, state } = client(proxy);
    socket.write('ping');
    await until(() => clock.pendingTimers > 0, 'the delayed chunk');
    await clock.advance(499);
    expect(state.data.length).toBe(0);
    await clock.advance(1);
    await until(() => state.data.toString() === 'ping', 'delayed echo');
  });

  it('bandwidth paces data to rateKBps', async () => {
    const { proxy, clock } = await proxyFor(await upstreamTcp((s) => s.end(Buffer.alloc(5120, 1))));
    proxy.addToxic({ name: 'thin', type: 'bandwidth', attributes: { rateKBps: 10 } });
    const { state } = client(proxy);
    await until(() => clock.pendingTimers > 0, 'paced data');
    // However the 5 KB arrive in chunks, at 10 KB/s they all pass after 500 ms of virtual time.
    for (let step = 0; step < 100 && state.data.length < 5120; step++) {
      await clock.advance(10);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(state.data.length).toBe(5120);
    expect(clock.now()).toBeGreaterThanOrEqual(500);
    expect(clock.now()).toBeLessThanOrEqual(520);
  });

  it('timeout 0 holds the connection open with no data (a hang); timeoutMs > 0 closes it after that time', async () => {
    const { proxy, clock } = await proxyFor(await upstreamTcp(echo));
    proxy.addToxic({ name: 'hang', type: 'timeout', attributes: { timeoutMs: 0 } });
    const hung = client(proxy);
    hung.socket.write('anyone?');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await clock.advance(60_000);
    expect(hung.state.data.length).toBe(0);
    expect(hung.state.closed).toBe(false);

    proxy.updateToxic('hang', { attributes: { timeoutMs: 1000 } });
    const timed = client(proxy);
    await until(() => clock.pendingTimers >= 1, 'timeout timer');
    await clock.advance(1000);
    await until(() => timed.state.closed, 'closed after timeout');
    expect(timed.state.data.length).toBe(0);
  });

  it('reset_peer resets the connection (ECONNRESET) after timeoutMs', async () => {
    const { proxy, clock } = await proxyFor(await upstreamTcp(echo));
    proxy.addToxic({ name: 'rst', type: 'reset_peer', attributes: { timeoutMs: 100 } });
    const { state } = client(proxy);
    await until(() => clock.pendingTimers > 0, 'reset timer');
    await clock.advance(100);
    await until(() => state.closed, 'reset');
    expect(state.error?.code).toBe('ECONNRESET');
  });

  it('slicer cuts the data into small pieces, delayMs apart', async () => {
    const { proxy, clock } = await proxyFor(await upstreamTcp((s) => s.write(Buffer.alloc(100, 2))));
    proxy.addToxic({ name: 'slices', type: 'slicer', attributes: { averageSize: 10, delayMs: 5 } });
    const { state } = client(proxy);
    await until(() => state.data.length === 10, 'first slice');
    for (let expected = 20; expected <= 100; expected += 10) {
      await clock.advance(5);
      await until(() => state.data.length === expected, `${expected} bytes`);
    }
  });

  it('limit_data closes the connection after N bytes', async () => {
    const { proxy } = await proxyFor(await upstreamTcp((s) => s.write(Buffer.alloc(200, 3))));
    proxy.addToxic({ name: 'limit', type: 'limit_data', attributes: { bytes: 50 } });
    const { state } = client(proxy);
    await until(() => state.closed, 'close after the limit');
    expect(state.data.length).toBe(50);
  });

  it('slow_close delays the end of the stream', async () => {
    const { proxy, clock } = await proxyFor(await upstreamTcp((s) => s.end('bye')));
    proxy.addToxic({ name: 'lingering', type: 'slow_close', attributes: { delayMs: 2000 } });
    const { state } = client(proxy);
    await until(() => state.data.toString() === 'bye' && clock.pendingTimers > 0, 'data, then the delayed close');
    await clock.advance(1999);
    expect(state.ended).toBe(false);
    await clock.advance(1);
    await until(() => state.ended, 'end after 2 s');
  });

  it('toxicity is the share of connections a toxic hits, drawn from the injected random source', () => {
    const toxic = parseToxicShorthand('latency:latencyMs=10,toxicity=0.3');
    let hits = 0;
    const random = seededRandom(42);
    for (let i = 0; i < 2000; i++) {
      const connection = new ToxicConnection(() => [toxic], { reset() {}, close() {} }, new FakeClock(0), random);
      if (connection.active('downstream').length) hits++;
    }
    expect(hits / 2000).toBeGreaterThan(0.27);
    expect(hits / 2000).toBeLessThan(0.33);
  });

  it('rejects invalid toxics with the path of each problem', async () => {
    const { proxy } = await proxyFor(await upstreamTcp(echo));
    expect(() => proxy.addToxic({ name: 'x', type: 'latency', toxicity: 2, attributes: { latencyMs: -1 } } as never)).toThrow(/toxicity.*attributes\.latencyMs|attributes\.latencyMs.*toxicity/);
    // Each problem names the bad value too.
    expect(() => proxy.addToxic({ name: 'x', type: 'latency', toxicity: 2, attributes: { latencyMs: 'abc' } } as never)).toThrow(/toxicity: .*\(got 2\).*attributes\.latencyMs: .*\(got "abc"\)/);
    expect(() => proxy.addToxic({ name: 'x', type: 'http_status', attributes: { status: 500 } })).toThrow(/http mode/);
  });
});

describe('fault proxy, HTTP mode and control API', () => {
  async function upstreamHttp(): Promise<number> {
    const server: HttpServer = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' }).end(JSON.stringify({ path: req.url, answer: 'a'.repeat(64) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    return (server.address() as AddressInfo).port;
  }

  it('forwards requests, answers injected statuses with Retry-After, corrupts bodies, all changeable at runtime over the API', async () => {
    const { proxy } = await proxyFor(await upstreamHttp(), { mode: 'http' });
    const get = async () => {
      const response = await request(`${proxy.url}/v1/models`);
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    };
    const ok = await get();
    expect(ok.status).toBe(200);
    expect(ok.headers['x-upstream']).toBe('yes');
    expect(JSON.parse(ok.text).path).toBe('/v1/models');

    const api = proxy.apiUrl!;
    const added = await request(`${api}/toxics`, { method: 'POST', body: JSON.stringify({ name: 'limited', type: 'http_status', attributes: { status: 429, retryAfterSeconds: 2 } }) });
    expect(added.statusCode).toBe(201);
    await added.body.dump();
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');

    const patched = await request(`${api}/toxics/limited`, { method: 'PATCH', body: JSON.stringify({ attributes: { status: 503 } }) });
    expect(patched.statusCode).toBe(200);
    await patched.body.dump();
    expect((await get()).status).toBe(503);

    await (await request(`${api}/toxics/limited`, { method: 'DELETE' })).body.dump();
    await (await request(`${api}/toxics`, { method: 'POST', body: JSON.stringify({ name: 'garble', type: 'http_corrupt' }) })).body.dump();
    const corrupted = await get();
    expect(corrupted.status).toBe(200);
    expect(() => JSON.parse(corrupted.text)).toThrow();

    await (await request(`${api}/reset`, { method: 'POST' })).body.dump();
    expect((await get()).status).toBe(200);
    const stats = await (await request(`${api}/stats`)).body.json() as { requests: number; faultedRequests: number };
    expect(stats.requests).toBe(5);
    expect(stats.faultedRequests).toBe(3);
  });

  it('the API answers bad input with 400 and unknown toxics with 404', async () => {
    const { proxy } = await proxyFor(await upstreamHttp(), { mode: 'http' });
    const bad = await request(`${proxy.apiUrl}/toxics`, { method: 'POST', body: JSON.stringify({ name: 'n', type: 'teleport' }) });
    expect(bad.statusCode).toBe(400);
    expect(((await bad.body.json()) as { error: string }).error).toMatch(/type/);
    const missing = await request(`${proxy.apiUrl}/toxics/nope`, { method: 'DELETE' });
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('the API answers hostile bodies with 400 in its format: null, non-object and oversized PATCH, an http-only type patched onto a TCP proxy', async () => {
    const { proxy } = await proxyFor(await upstreamHttp(), { mode: 'http' });
    proxy.addToxic({ name: 'slow', type: 'latency', attributes: { latencyMs: 1 } });
    const patch = async (apiUrl: string, name: string, body: string) => {
      const response = await request(`${apiUrl}/toxics/${name}`, { method: 'PATCH', body });
      return { status: response.statusCode, error: ((await response.body.json()) as { error: string }).error };
    };
    for (const body of ['null', '"text"', '[1]']) {
      const answer = await patch(proxy.apiUrl!, 'slow', body);
      expect(answer.status).toBe(400);
      expect(answer.error).toMatch(/^body: expected a JSON object/);
    }
    const huge = await patch(proxy.apiUrl!, 'slow', JSON.stringify({ attributes: { latencyMs: 1, pad: 'x'.repeat(100 * 1024) } }));
    expect(huge).toEqual({ status: 400, error: expect.stringMatching(/body larger than/) });

    const tcp = (await proxyFor(await upstreamTcp(echo))).proxy;
    tcp.addToxic({ name: 'slow', type: 'latency', attributes: { latencyMs: 1 } });
    const retyped = await patch(tcp.apiUrl!, 'slow', JSON.stringify({ type: 'http_status', attributes: { status: 500 } }));
    expect(retyped).toEqual({ status: 400, error: 'http_status: needs the proxy in http mode' });
    expect(tcp.toxics()[0].type).toBe('latency');
  });

  it('HTTP mode answers 502 in JSON when the upstream is down, instead of resetting the client', async () => {
    const downPort = await upstreamTcp(() => undefined);
    // Close that listener again so the port refuses connections.
    await cleanup.pop()!();
    const { proxy } = await proxyFor(downPort, { mode: 'http' });
    const response = await request(`${proxy.url}/v1/models`);
    expect(response.statusCode).toBe(502);
    expect(((await response.body.json()) as { error: { type: string } }).error.type).toBe('upstream_unreachable');
  });

  it('a control API that cannot listen fails the start and leaves nothing listening', async () => {
    const taken = await upstreamTcp(echo);
    const port = await upstreamTcp(echo);
    await cleanup.pop()!(); // free `port` for the proxy to take
    await expect(startFaultProxy({ upstream: `127.0.0.1:${taken}`, port, api: { port: taken } })).rejects.toThrow(/EADDRINUSE/);
    const refused = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(undefined); });
      socket.once('error', resolve);
    });
    expect(refused?.code).toBe('ECONNREFUSED');
  });

  it('an http_status toxic with toxicity 0.5 hits about half of the requests', async () => {
    const { proxy } = await proxyFor(await upstreamHttp(), { mode: 'http' });
    proxy.addToxic({ name: 'half', type: 'http_status', toxicity: 0.5, attributes: { status: 500 } });
    let failed = 0;
    for (let i = 0; i < 100; i++) {
      const response = await request(`${proxy.url}/`);
      await response.body.dump();
      if (response.statusCode === 500) failed++;
    }
    expect(failed).toBeGreaterThan(35);
    expect(failed).toBeLessThan(65);
  });
});
