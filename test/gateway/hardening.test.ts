import { connect } from 'node:net';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/gateway/auth.js';
import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway, UnsafeBindError } from '../../src/gateway/gateway.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { memoryLogger, startTestGateway, testConfigYaml } from './helpers.js';

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const ok = (model: string) => JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });

async function post(base: string, path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { method: 'POST', body: body as string, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('gateway hardening', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    // Default header and request timeouts: on a loaded machine a fresh gateway's first request can
    // wait 300 ms between accept and parse (it failed the 413 case with 408); the slowloris case
    // has a gateway of its own below.
    gateway = await startTestGateway(testConfigYaml('').replace('server: { port: 0 }', 'server: { port: 0, bodyLimit: 4KiB }'));
  });
  afterAll(() => gateway.shutdown(1000));

  it('answers an oversized body with 413 in the dialect of the endpoint', async () => {
    const big = JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const openai = await post(gateway.url, CHAT, big);
    expect(openai.status).toBe(413);
    expect(openai.json.error).toMatchObject({ type: 'invalid_request_error', code: 'BULWARK_ERR_BODY_TOO_LARGE' });
    const anthropic = await post(gateway.url, MESSAGES, big);
    expect(anthropic.status).toBe(413);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });

  it('answers a 413 before the body is uploaded when content-length is too large', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${gateway.url}${CHAT}`, { method: 'POST', headers: { 'content-length': String(10_000_000), 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"model":');
    });
    expect(status).toBe(413);
  });

  it('answers malformed JSON with 400 in both formats', async () => {
    const openai = await post(gateway.url, CHAT, '{"model": "gpt-4", "messages": [');
    expect(openai.status).toBe(400);
    expect(openai.json.error).toMatchObject({ type: 'invalid_request_error', code: 'BULWARK_ERR_MALFORMED_JSON', param: null });
    const anthropic = await post(gateway.url, MESSAGES, 'not json');
    expect(anthropic.status).toBe(400);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('answers an invalid body with 400 naming the field', async () => {
    const res = await post(gateway.url, CHAT, JSON.stringify({ model: 'gpt-4', messages: 'hello' }));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('messages');
  });

  it('answers unknown models and routes with 404, and carries the x-bulwark-* headers on errors', async () => {
    const res = await post(gateway.url, CHAT, ok('no-such-model'));
    expect(res.status).toBe(404);
    expect(res.headers.get('x-bulwark-served-by')).toBe('none');
    expect(res.headers.get('x-bulwark-attempts')).toBe('0');
    const route = await fetch(`${gateway.url}/v2/nothing`);
    expect(route.status).toBe(404);
    expect((await route.json()).error.code).toBe('BULWARK_ERR_ROUTE_NOT_FOUND');
  });

  it('keeps a sane incoming x-request-id and replaces an unsafe one', async () => {
    const kept = await post(gateway.url, CHAT, ok('gpt-4'), { 'x-request-id': 'req-123.abc' });
    expect(kept.headers.get('x-request-id')).toBe('req-123.abc');
    const replaced = await post(gateway.url, CHAT, ok('gpt-4'), { 'x-request-id': 'bad id with spaces <script>' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{24}$/);
  });

  it('aborts the upstream stream when the client disconnects mid-stream', async () => {
    const mock = gateway.mock('m')!;
    // 1 s between events: left alone, the mock would stream for ~9 s more after the first chunk.
    mock.setProfile({ default: { tokenDelayMs: 1_000 } });
    try {
      const firstChunk = await new Promise<string>((resolve) => {
        const req = request(`${gateway.url}${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.once('data', (d: Buffer) => {
            resolve(d.toString());
            req.destroy(); // the client goes away after the first chunk
          });
        });
        req.on('error', () => undefined);
        req.end(JSON.stringify({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'a long story please' }] }));
      });
      const disconnectedAt = performance.now();
      expect(firstChunk).toContain('data: ');
      expect(mock.stats().inFlight).toBe(1);
      while (mock.stats().inFlight > 0) await new Promise((r) => setTimeout(r, 20));
      // Freed long before the stream could have ended by itself: the upstream request was aborted.
      expect(performance.now() - disconnectedAt).toBeLessThan(5_000);
      expect(gateway.server.requestsInFlight).toBe(0);
    } finally {
      mock.setProfile('healthy');
    }
  });

  it('survives arbitrary request bodies (fuzz): every answer is a well-formed status and body', async () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify({ model: 'gpt-4', messages: v })),
      fc.jsonValue().map((v) => JSON.stringify({ model: 'claude-sonnet', max_tokens: v, messages: [{ role: 'user', content: v }] })),
      fc.record({ model: fc.constantFrom('gpt-4', 'claude-sonnet', ''), stream: fc.jsonValue(), messages: fc.array(fc.record({ role: fc.string(), content: fc.jsonValue() })) }).map((o) => JSON.stringify(o)),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom(CHAT, MESSAGES), async (body, path) => {
        const res = await post(gateway.url, path, body as string);
        expect([200, 400, 404, 413]).toContain(res.status);
        if (res.status !== 200) expect(res.json).toBeDefined();
      }),
      { numRuns: 150 },
    );
    expect((await fetch(`${gateway.url}/livez`)).status).toBe(200);
  });
});

describe('gateway hardening: slow clients', () => {
  let slowGateway: Gateway;
  beforeAll(async () => {
    slowGateway = await startTestGateway(testConfigYaml('').replace('server: { port: 0 }', 'server: { port: 0, headersTimeoutMs: 300, requestTimeoutMs: 1s }'));
  });
  afterAll(() => slowGateway.shutdown(1000));

  it('closes the connection of a client that does not finish its headers in time (slowloris)', async () => {
    const started = Date.now();
    const { closedAfterMs, answer } = await new Promise<{ closedAfterMs: number; answer: string }>((resolve, reject) => {
      const address = slowGateway.server.http.address() as AddressInfo;
      const socket = connect(address.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve({ closedAfterMs: Date.now() - started, answer }));
      socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      // ...and never finish the header block.
    });
    expect(closedAfterMs).toBeLessThan(3000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('gateway: every step of the chain failed', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway(testConfigYaml().replace('routes:\n', 'routes:\n  - { name: bare, chain: [gpt4], staleIfError: false }\n'));
  });
  afterAll(() => gateway.shutdown(1000));

  it('answers with the upstream status class in the dialect format, with the attempts made', async () => {
    gateway.mock('m')!.setProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    const openai = await post(gateway.url, CHAT, ok('bare'));
    expect(openai.status).toBe(503);
    expect(openai.json.error).toMatchObject({ type: 'server_error', message: expect.stringContaining('fallback chain failed') });
    expect(openai.headers.get('x-bulwark-served-by')).toBe('none');
    expect(openai.headers.get('x-bulwark-attempts')).toBe('1');
    const anthropic = await post(gateway.url, MESSAGES, ok('bare'));
    expect(anthropic.status).toBe(503);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'api_error' } });

    gateway.mock('m')!.setProfile({ deployments: { primary: { errors: { '500': 1 } } } });
    expect((await post(gateway.url, CHAT, ok('bare'))).status).toBe(502);
  });
});

describe('gateway keys and limits', () => {
  const clientKey = 'bk-test-client-key-0123456789';
  const limitedKey = 'bk-test-limited-key-0123456789';
  const adminKey = 'bk-test-admin-key-0123456789';
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway(testConfigYaml(`
auth:
  keys:
    - { tenant: acme, sha256: ${hashKey(clientKey)} }
    - { tenant: tiny, sha256: ${hashKey(limitedKey)}, rpm: 2 }
  adminKeySha256: ${hashKey(adminKey)}
`));
    gateway.server.routes.add({ method: 'GET', path: '/admin/*', auth: 'admin', handler: (_c, _q, res) => void res.end('admin ok') });
  });
  afterAll(() => gateway.shutdown(1000));

  it('rejects a missing or unknown key with 401 in the dialect format', async () => {
    const missing = await post(gateway.url, CHAT, ok('gpt-4'));
    expect(missing.status).toBe(401);
    expect(missing.json.error.type).toBe('authentication_error');
    const wrong = await post(gateway.url, MESSAGES, ok('claude-sonnet'), { 'x-api-key': 'bk-wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('answers /v1/models errors in the format of the calling SDK', async () => {
    const openai = await fetch(`${gateway.url}/v1/models`);
    expect(openai.status).toBe(401);
    expect((await openai.json()).error.type).toBe('authentication_error');
    const anthropic = await fetch(`${gateway.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('accepts a configured key as Bearer token or x-api-key', async () => {
    expect((await post(gateway.url, CHAT, ok('gpt-4'), { authorization: `Bearer ${clientKey}` })).status).toBe(200);
    expect((await post(gateway.url, MESSAGES, ok('claude-sonnet'), { 'x-api-key': clientKey })).status).toBe(200);
  });

  it('limits a key to its RPM with 429 and Retry-After', async () => {
    const auth = { authorization: `Bearer ${limitedKey}` };
    expect((await post(gateway.url, CHAT, ok('gpt-4'), auth)).status).toBe(200);
    expect((await post(gateway.url, CHAT, ok('gpt-4'), auth)).status).toBe(200);
    const limited = await post(gateway.url, CHAT, ok('gpt-4'), auth);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.json.error.type).toBe('rate_limit_error');
    // Another key is not affected.
    expect((await post(gateway.url, CHAT, ok('gpt-4'), { authorization: `Bearer ${clientKey}` })).status).toBe(200);
  });

  it('guards /admin/* with the admin key, not with client keys', async () => {
    expect((await fetch(`${gateway.url}/admin/x`, { headers: { authorization: `Bearer ${clientKey}` } })).status).toBe(401);
    const res = await fetch(`${gateway.url}/admin/x`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('admin ok');
  });

  it('keeps /livez and /readyz open', async () => {
    expect((await fetch(`${gateway.url}/livez`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
  });
});

describe('gateway secrets and bind rules', () => {
  const providerKey = 'sk-provider-secret-DO-NOT-LEAK-42';
  let upstream: Server;
  let seen: Array<{ authorization?: string; xApiKey?: string }>;
  let upstreamUrl: string;

  beforeAll(async () => {
    seen = [];
    // A minimal OpenAI-compatible upstream that records what the gateway sends it, and fails.
    upstream = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization, xApiKey: req.headers['x-api-key'] as string | undefined });
      req.resume();
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error' } }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

  it('never forwards client keys upstream and never shows provider keys in logs or error bodies', async () => {
    const { logger, lines } = memoryLogger('trace');
    const yaml = `
server: { port: 0 }
providers:
  real: { type: openai, baseUrl: "${upstreamUrl}", apiKey: "\${PROVIDER_KEY}" }
modelGroups:
  g: { deployments: [ { id: real-g, provider: real, model: gpt-4o } ] }
routes:
  - { name: gpt-4, chain: [g] }
policies: { retry: { maxAttempts: 1 } }
`;
    const gateway = await Gateway.start({
      config: parseConfig(yaml, { env: { PROVIDER_KEY: providerKey } }),
      createRouter: defaultRouterFactory,
      logger,
    });
    try {
      const res = await post(gateway.url, CHAT, ok('gpt-4'), { authorization: 'Bearer client-secret-1', 'x-api-key': 'client-secret-2' });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.text).not.toContain(providerKey);
      res.headers.forEach((value, name) => expect(`${name}: ${value}`).not.toContain(providerKey));
      expect(seen.length).toBeGreaterThan(0);
      for (const s of seen) {
        expect(s.authorization).toBe(`Bearer ${providerKey}`);
        expect(s.xApiKey).toBeUndefined();
      }
      gateway.logger.info({ config: gateway.config }, 'config dump (redaction check)');
      const logs = lines.join('');
      expect(logs).toContain('config dump');
      expect(logs).not.toContain(providerKey);
      expect(logs).not.toContain('client-secret');
    } finally {
      await gateway.shutdown(1000);
    }
  });

  it('refuses to listen beyond loopback without gateway keys', async () => {
    const config = parseConfig(testConfigYaml(), { env: {} });
    await expect(Gateway.start({ config, createRouter: defaultRouterFactory, host: '0.0.0.0', logger: memoryLogger().logger })).rejects.toBeInstanceOf(UnsafeBindError);
  });
});
