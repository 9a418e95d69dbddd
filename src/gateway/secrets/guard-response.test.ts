import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { guardResponse } from './guard-response.js';
import { MIN_SECRET_LENGTH, SecretRedactor, maskFor } from './secret-redactor.js';

const KEY = 'sk-canary-0123456789abcdef';

/** Serves one response written by `write` through a guarded ServerResponse; returns what a client received. */
async function received(redactor: SecretRedactor, write: (res: ServerResponse) => void | Promise<void>): Promise<{ body: string; length: string | null }> {
  const server = createServer((_req, res) => {
    guardResponse(res, redactor);
    void write(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { body: await res.text(), length: res.headers.get('content-length') };
  } finally {
    server.close();
  }
}

describe('guardResponse: no configured secret leaves through a response', () => {
  const redactor = new SecretRedactor([KEY, 'short']);

  it('pins the shortest secret searched for', () => {
    expect(MIN_SECRET_LENGTH).toBe(8);
    expect(redactor.redact('a short word')).toBe('a short word');
  });

  it('blanks a secret in a whole body and keeps Content-Length true', async () => {
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } });
    const got = await received(redactor, (res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
    expect(got.body).not.toContain(KEY);
    expect(got.body).toContain(maskFor(KEY.length));
    expect(got.length).toBe(String(Buffer.byteLength(body)));
    expect(JSON.parse(got.body)).toEqual({ error: { message: `Incorrect API key provided: ${maskFor(KEY.length)}` } });
  });

  it('blanks a secret split across two writes of a stream (and every repeat of it)', async () => {
    const got = await received(redactor, (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: {"a":"${KEY.slice(0, 9)}`);
      res.write(Buffer.from(`${KEY.slice(9)} and ${KEY}"}\n\n`));
      res.end();
    });
    expect(got.body).not.toContain(KEY);
    expect(got.body).toBe(`data: {"a":"${maskFor(KEY.length)} and ${maskFor(KEY.length)}"}\n\n`);
  });

  it('sends a held-back tail that turned out not to be a secret', async () => {
    const got = await received(redactor, (res) => {
      res.write('ends with sk-can');
      res.end();
    });
    expect(got.body).toBe('ends with sk-can');
  });

  it('does nothing without secrets', async () => {
    const none = new SecretRedactor([]);
    expect(none.active).toBe(false);
    const got = await received(none, (res) => {
      res.end(`free ${KEY}`);
    });
    expect(got.body).toBe(`free ${KEY}`);
  });
});

describe('guardResponse: header values', () => {
  const redactor = new SecretRedactor([KEY]);

  async function headersOf(write: (res: ServerResponse) => void): Promise<Headers> {
    const server = createServer((_req, res) => {
      guardResponse(res, redactor);
      write(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await res.text();
      return res.headers;
    } finally {
      server.close();
    }
  }

  it('blanks a secret in headers given to writeHead (object, flat list, with a reason phrase) and to setHeader', async () => {
    const fromObject = await headersOf((res) => {
      res.setHeader('x-set', `key=${KEY}`);
      res.setHeader('x-list', ['clean', `Bearer ${KEY}`]);
      res.writeHead(200, { 'x-upstream-request-id': `req-${KEY}`, 'x-clean': 'ok' });
      res.end('{}');
    });
    expect(fromObject.get('x-upstream-request-id')).toBe(`req-${maskFor(KEY.length)}`);
    expect(fromObject.get('x-set')).toBe(`key=${maskFor(KEY.length)}`);
    expect(fromObject.get('x-list')).toBe(`clean, Bearer ${maskFor(KEY.length)}`);
    expect(fromObject.get('x-clean')).toBe('ok');
    const fromList = await headersOf((res) => {
      res.writeHead(404, 'Not Found', ['x-a', KEY, 'x-b', 'fine']);
      res.end();
    });
    expect(fromList.get('x-a')).toBe(maskFor(KEY.length));
    expect(fromList.get('x-b')).toBe('fine');
  });
});
