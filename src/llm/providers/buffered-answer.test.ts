import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmError } from '../errors.js';
import { AnswerBudget } from './answer-budget.js';
import { makeCertificates } from '../../../test/redis/servers.js';
import { BufferedAnswer, type BufferedAnswerOptions } from './buffered-answer.js';
import { ProviderPool } from './provider-pool.js';

describe('BufferedAnswer (an answer read whole by a dispatch handler)', () => {
  let server: Server;
  let pool: Pool;
  let reply: (res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => reply(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await pool.close();
    server.close();
  });

  const options = (over: Partial<BufferedAnswerOptions> = {}): BufferedAnswerOptions => ({
    maxBytes: 1024, budget: new AnswerBudget(), source: 'up', maxErrorBytes: 64,
    classifyHttp: (status, _headers, text) => new LlmError('server_error', `status ${status}: ${text}`), ...over,
  });
  const send = (over?: Partial<BufferedAnswerOptions>) => BufferedAnswer.send(pool, { method: 'POST', path: '/', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, options(over));

  it('hands back a body sent in several chunks whole, with its status and headers, and gives the budget back', async () => {
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r1' });
      res.write('{"a":"');
      setTimeout(() => res.end('xyz"}'), 20);
    };
    const budget = new AnswerBudget();
    const answer = await send({ budget });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe('r1');
    expect(answer.body.toString()).toBe('{"a":"xyz"}');
    expect(budget.inUseBytes).toBe(0);
  });

  it('classifies an error answer from its first bytes', async () => {
    reply = (res) => res.writeHead(429, { 'content-type': 'application/json' }).end('{"error":"slow down"}');
    await expect(send()).rejects.toThrow('status 429: {"error":"slow down"}');
  });

  it('cuts off an answer longer than maxBytes at once and holds nothing', async () => {
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(Buffer.alloc(600, 'a'));
      setTimeout(() => res.end(Buffer.alloc(600, 'a')), 20);
    };
    const budget = new AnswerBudget();
    await expect(send({ budget })).rejects.toMatchObject({ kind: 'server_error' });
    expect(budget.inUseBytes).toBe(0);
  });

  it('rejects with the signal\'s reason when the call is aborted', async () => {
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
    };
    const controller = new AbortController();
    const pending = send({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('gone')), 20);
    await expect(pending).rejects.toThrow('gone');
  });

  it('reads an answer over HTTP/2 (how the pool talks to https providers) the same way', async () => {
    const certs = await makeCertificates();
    const [key, cert, ca] = await Promise.all([readFile(certs.keyFile), readFile(certs.certFile), readFile(certs.caFile)]);
    const protocols: string[] = [];
    const h2 = createSecureServer({ key, cert, allowHTTP1: true }, (req, res) => {
      protocols.push(req.httpVersion);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'h2' });
        res.write('{"b":"');
        setTimeout(() => res.end('2"}'), 20);
      });
    });
    h2.listen(0, '127.0.0.1');
    await once(h2, 'listening');
    const tls = new ProviderPool(new URL(`https://127.0.0.1:${(h2.address() as AddressInfo).port}/v1`), { tls: { ca } });
    try {
      const answer = await BufferedAnswer.send(tls, { method: 'POST', path: '/v1/x', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, options());
      expect(protocols).toEqual(['2.0']);
      expect(answer.headers['x-request-id']).toBe('h2');
      expect(answer.body.toString()).toBe('{"b":"2"}');
    } finally {
      await tls.destroy();
      h2.close();
    }
  }, 60_000);
});
