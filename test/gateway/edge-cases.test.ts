import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { MAX_DISCARDED_BYTES } from '../../src/gateway/http/read-body.js';
import { memoryLogger, startTestGateway, testConfigYaml } from './helpers.js';

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const body = (model: string) => JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });

describe('gateway HTTP edge cases', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway(testConfigYaml());
  });
  afterAll(() => gateway.shutdown(1000));

  // A web page can POST text/plain, form or header-less bodies to 127.0.0.1 without a CORS
  // preflight: accepting them would let any site spend the provider credits of a keyless gateway.
  it('refuses chat bodies that are not declared JSON with 415 in the dialect format (no cross-site simple requests)', async () => {
    for (const contentType of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      const openai = await fetch(`${gateway.url}${CHAT}`, { method: 'POST', body: new Blob([body('gpt-4')]), headers });
      expect(openai.status, String(contentType)).toBe(415);
      expect(((await openai.json()) as any).error).toMatchObject({ type: 'invalid_request_error', code: 'BULWARK_ERR_UNSUPPORTED_MEDIA_TYPE' });
      const anthropic = await fetch(`${gateway.url}${MESSAGES}`, { method: 'POST', body: new Blob([body('claude-sonnet')]), headers });
      expect(anthropic.status, String(contentType)).toBe(415);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    }
    for (const contentType of ['application/json', 'Application/JSON; charset=utf-8', 'application/vnd.x+json']) {
      const res = await fetch(`${gateway.url}${CHAT}`, { method: 'POST', body: body('gpt-4'), headers: { 'content-type': contentType } });
      expect(res.status, contentType).toBe(200);
      await res.text();
    }
  });

  it('refuses a body that is not valid UTF-8 with 400 instead of forwarding a silently altered prompt', async () => {
    const prefix = Buffer.from('{"model":"gpt-4","max_tokens":16,"messages":[{"role":"user","content":"caf');
    const invalid = Buffer.concat([prefix, Buffer.from([0xe9]), Buffer.from('"}]}')]); // latin-1 é
    const res = await fetch(`${gateway.url}${CHAT}`, { method: 'POST', body: invalid, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatchObject({ type: 'invalid_request_error', code: 'BULWARK_ERR_MALFORMED_JSON' });
    const valid = Buffer.concat([prefix, Buffer.from('é', 'utf8'), Buffer.from('"}]}')]);
    const ok = await fetch(`${gateway.url}${CHAT}`, { method: 'POST', body: valid, headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(200);
    await ok.text();
  });

  // Without keys (the loopback default) nothing else stops a web page: a no-cors POST needs no
  // preflight, so any site the operator visits could open breakers or spend credits.
  it('refuses cross-site browser requests to keyed and admin endpoints with 403; same-origin ones pass', async () => {
    const host = new URL(gateway.url).host;
    const send = (path: string, headers: Record<string, string>, payload = '') => new Promise<number>((resolve, reject) => {
      const req = request(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(payload);
    });
    const open = '/admin/deployments/primary-gpt4/open';
    expect(await send(open, { origin: 'https://evil.example' })).toBe(403);
    expect(await send(open, { origin: 'null' })).toBe(403);
    expect(await send(open, { 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await send(CHAT, { 'sec-fetch-site': 'same-site' }, body('gpt-4'))).toBe(403);
    expect(await send(CHAT, { origin: `http://attacker.example:${new URL(gateway.url).port}` }, body('gpt-4'))).toBe(403);
    const breakers = (await (await fetch(`${gateway.url}/admin/breakers`)).json()) as { deployments: Array<{ id: string; breaker: string }> };
    expect(breakers.deployments.find((d) => d.id === 'primary-gpt4')?.breaker).toBe('closed');
    expect(await send(CHAT, { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, body('gpt-4'))).toBe(200);
    expect(await send(CHAT, { 'sec-fetch-site': 'none' }, body('gpt-4'))).toBe(200);
  });

  // Deeply nested JSON parses fine but overflows the stack of the recursive code behind it
  // (cache key, dialect mapping): a 300 KB body turned every request into a 500 and an error log.
  it('refuses a body nested deeper than the limit with 400, and still takes a deep but sane schema', async () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const withSchema = (schema: string) => `{"model":"gpt-4","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${schema}}}]}`;
    const bomb = await fetch(`${gateway.url}${CHAT}`, { method: 'POST', body: withSchema(deep(50_000)), headers: { 'content-type': 'application/json' } });
    expect(bomb.status).toBe(400);
    expect(((await bomb.json()) as any).error).toMatchObject({ type: 'invalid_request_error', code: 'BULWARK_ERR_MALFORMED_JSON' });
    const sane = await fetch(`${gateway.url}${CHAT}`, { method: 'POST', body: withSchema(deep(40)), headers: { 'content-type': 'application/json' } });
    expect(sane.status).toBe(200);
    await sane.text();
  });

  // DNS rebinding: a page on attacker.example whose name is re-pointed at 127.0.0.1 is
  // same-origin with the gateway as far as the browser knows; only the Host header tells.
  it('without gateway keys, serves keyed and admin endpoints only to loopback or IP Host names (DNS rebinding)', async () => {
    const send = (path: string, host: string, method = 'POST') => new Promise<number>((resolve, reject) => {
      const req = request(`${gateway.url}${path}`, { method, headers: { 'content-type': 'application/json', host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(method === 'POST' ? body('gpt-4') : undefined);
    });
    const port = new URL(gateway.url).port;
    expect(await send(CHAT, `attacker.example:${port}`)).toBe(403);
    expect(await send('/admin/breakers', `attacker.example:${port}`, 'GET')).toBe(403);
    expect(await send('/livez', `attacker.example:${port}`, 'GET')).toBe(200); // probes stay open
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`, '10.0.0.7']) {
      expect(await send(CHAT, host), host).toBe(200);
    }
  });
});

describe('gateway: clients that leave mid-upload', () => {
  it('a client gone before its body arrived is not logged as an unexpected error', async () => {
    const { logger, lines } = memoryLogger('warn');
    const gateway = await startTestGateway(testConfigYaml(), { logger });
    try {
      const url = new URL(gateway.url);
      for (let i = 0; i < 3; i++) {
        const socket = connect(Number(url.port), url.hostname);
        await new Promise<void>((resolve) => socket.on('connect', resolve));
        socket.write(`POST ${CHAT} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`);
        await vi.waitFor(() => expect(gateway.server.requestsInFlight).toBe(1), { timeout: 2_000, interval: 5 });
        socket.destroy();
        await vi.waitFor(() => expect(gateway.server.requestsInFlight).toBe(0), { timeout: 2_000, interval: 5 });
      }
      await new Promise((r) => setTimeout(r, 20));
      expect(lines.join('')).not.toMatch(/unexpected error|"level":50/);
      expect((await fetch(`${gateway.url}/livez`)).status).toBe(200);
    } finally {
      await gateway.shutdown(1000);
    }
  });
});

describe('gateway: an oversized chunked upload that never ends', () => {
  it.each([
    ['transfer-encoding: chunked', (n: number) => `${n.toString(16)}\r\n${'x'.repeat(n)}\r\n`],
    ['content-length: 100000000000', (n: number) => 'x'.repeat(n)],
  ])('answers 413, then closes the connection instead of reading the rest until the request timeout (%s)', async (framing, frame) => {
    const gateway = await startTestGateway(testConfigYaml().replace('server: { port: 0 }', 'server: { port: 0, bodyLimit: 4KiB, requestTimeoutMs: 60s }'));
    try {
      const url = new URL(gateway.url);
      const socket = connect(Number(url.port), url.hostname);
      await new Promise<void>((resolve) => socket.on('connect', resolve));
      let answer = '';
      let closed = false;
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      socket.on('close', () => (closed = true));
      socket.on('error', () => {});
      socket.write(`POST ${CHAT} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`);
      const chunk = frame(0x4000);
      let sent = 0;
      while (!closed && sent < 8 * 1024 * 1024) {
        if (!socket.write(chunk)) await new Promise<void>((resolve) => { const t = setTimeout(resolve, 50); socket.once('drain', () => { clearTimeout(t); resolve(); }); });
        sent += chunk.length;
      }
      await vi.waitFor(() => expect(closed).toBe(true), { timeout: 2_000, interval: 10 });
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(sent).toBeLessThan(8 * 1024 * 1024);
      expect(MAX_DISCARDED_BYTES).toBe(1_048_576);
      socket.destroy();
    } finally {
      await gateway.shutdown(1000);
    }
  });
});
