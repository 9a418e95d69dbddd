import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificates, type TestCertificates } from '../../../test/redis/servers.js';
import type { StreamEvent } from '../types.js';
import { systemClock } from '../../core/clock.js';
import { canonicalCalls } from './canonical-calls.fixture.js';
import { createProvider } from './create-provider.js';
import { DEFAULT_H2_MAX_CONCURRENT_STREAMS, ProviderPool } from './provider-pool.js';

/**
 * A provider's pool never makes a call wait for a socket: concurrency is the bulkhead's business.
 * Each upstream below holds every answer open until it has seen the number of requests the test
 * sends at once — so the test passes only if they were all in flight together — and releases
 * them early (the assertion then fails with the count it saw) if no new request came for a while.
 */

const IDLE_RELEASE_MS = 3_000;
const chunk = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const SSE_HEAD = chunk({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'hel' }, finish_reason: null }] });
const SSE_TAIL =
  chunk({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] }) + 'data: [DONE]\n\n';

/** What both node:http and node:http2 (compatibility API) answers offer. */
interface Answer {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(chunk: string): unknown;
}

/** Counts answers held open; lets them all finish once `expected` are open (or the upstream went idle). */
class HeldAnswers {
  private readonly open: Answer[] = [];
  peak = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;
  constructor(
    private readonly expected: number,
    private readonly idleReleaseMs = IDLE_RELEASE_MS,
  ) {}

  hold(res: Answer, head: string): void {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(head);
    this.open.push(res);
    this.peak = Math.max(this.peak, this.open.length);
    clearTimeout(this.idle);
    if (this.open.length >= this.expected) this.release();
    else this.idle = setTimeout(() => this.release(), this.idleReleaseMs);
  }

  private release(): void {
    clearTimeout(this.idle);
    for (const res of this.open.splice(0)) res.end(SSE_TAIL);
  }
}

/** An HTTP/1.1 upstream that holds every answer in `held`; resolves with its port. */
async function heldUpstream(held: HeldAnswers): Promise<{ port: number; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => held.hold(res, SSE_HEAD));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function textOf(events: AsyncIterable<StreamEvent>): Promise<string> {
  let text = '';
  for await (const event of events) if (event.type === 'text') text += event.text;
  return text;
}

describe('provider pool', () => {
  let certs: TestCertificates;
  beforeAll(async () => {
    certs = await makeCertificates();
  }, 60_000);
  afterAll(() => certs?.close());

  it('300 concurrent streams through one provider are all in flight at once (HTTP/1.1, no socket cap)', async () => {
    const streams = 300;
    const held = new HeldAnswers(streams);
    const upstream = await heldUpstream(held);
    const provider = createProvider({ type: 'openai', baseUrl: `http://127.0.0.1:${upstream.port}/v1`, apiKey: 'k' });
    try {
      const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
      const texts = await Promise.all(Array.from({ length: streams }, () => textOf(canonicalCalls(provider, systemClock).stream(request))));
      expect(held.peak).toBe(streams);
      expect(new Set(texts)).toEqual(new Set(['hello']));
    } finally {
      await provider.close();
      upstream.close();
    }
  }, 60_000);

  it('over HTTP/2 one connection carries the calls at once (POSTs multiplexed, not one per connection)', async () => {
    const [key, cert, ca] = await Promise.all([readFile(certs.keyFile), readFile(certs.certFile), readFile(certs.caFile)]);
    const calls = DEFAULT_H2_MAX_CONCURRENT_STREAMS;
    let held = new HeldAnswers(1);
    let sessions = 0;
    const protocols = new Set<string>();
    const server = createSecureServer({ key, cert, allowHTTP1: true, settings: { maxConcurrentStreams: 1_000 } }, (req, res) => {
      protocols.add(req.httpVersion);
      req.resume();
      req.on('end', () => held.hold(res, SSE_HEAD));
    });
    server.on('session', () => sessions++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const pool = new ProviderPool(new URL(`https://127.0.0.1:${port}/v1`), { tls: { ca } });
    const post = async () => {
      const res = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: '{}' });
      return res.body.text();
    };
    try {
      await post(); // the connection is up (ALPN done) before the burst
      held = new HeldAnswers(calls);
      const answers = await Promise.all(Array.from({ length: calls }, post));
      expect(held.peak).toBe(calls);
      expect(sessions).toBe(1);
      expect([...protocols]).toEqual(['2.0']);
      expect(answers.every((a) => a === SSE_HEAD + SSE_TAIL)).toBe(true);
    } finally {
      await pool.destroy();
      server.close();
    }
  }, 60_000);

  it('an https origin that stays on HTTP/1.1 gets one socket per call in flight, none queued behind a stream', async () => {
    const [key, cert, ca] = await Promise.all([readFile(certs.keyFile), readFile(certs.certFile), readFile(certs.caFile)]);
    const calls = 40;
    const held = new HeldAnswers(calls);
    let sockets = 0;
    const server = createHttpsServer({ key, cert }, (req, res) => {
      req.resume();
      req.on('end', () => held.hold(res, SSE_HEAD));
    });
    server.on('secureConnection', () => sockets++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const pool = new ProviderPool(new URL(`https://127.0.0.1:${port}`), { tls: { ca } });
    try {
      await Promise.all(Array.from({ length: calls }, async () => (await pool.request({ method: 'POST', path: '/', body: '{}' })).body.text()));
      expect(held.peak).toBe(calls);
      expect(sockets).toBe(calls);
    } finally {
      await pool.destroy();
      server.closeAllConnections();
      server.close();
    }
  }, 60_000);

  it('keeps an explicit connections cap when one is configured', async () => {
    const held = new HeldAnswers(10, 300);
    const upstream = await heldUpstream(held);
    const pool = new ProviderPool(new URL(`http://127.0.0.1:${upstream.port}`), { connections: 4 });
    try {
      const answers = Array.from({ length: 10 }, async () => (await pool.request({ method: 'POST', path: '/', body: '{}' })).body.text());
      await Promise.all(answers);
      expect(held.peak).toBe(4);
    } finally {
      await pool.destroy();
      upstream.close();
    }
  }, 60_000);
});
