import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultProxy } from './proxy.js';

/**
 * The fault proxy's JSON control API:
 *   GET    /toxics          → the toxic list
 *   POST   /toxics          → add (or replace by name) a toxic
 *   PATCH  /toxics/:name    → change fields of a toxic
 *   DELETE /toxics/:name    → remove it
 *   POST   /reset           → remove every toxic
 *   GET    /stats           → connection and request counters
 * Errors: `{ "error": "message" }` with 400 (invalid toxic) or 404 (unknown toxic or path).
 */
export async function startControlApi(proxy: FaultProxy, options: { host?: string; port?: number }) {
  const server = createServer((req, res) => {
    handle(proxy, req, res).catch((error: unknown) => {
      // An oversized body is answered before it was read: close the connection rather than drain it.
      if (!req.complete) res.setHeader('connection', 'close');
      send(res, 400, { error: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function handle(proxy: FaultProxy, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '');
  const named = /^\/toxics\/([\w.-]+)$/.exec(path);
  if (req.method === 'GET' && path === '/toxics') return send(res, 200, proxy.toxics());
  if (req.method === 'GET' && path === '/stats') return send(res, 200, proxy.stats());
  if (req.method === 'POST' && path === '/toxics') return send(res, 201, proxy.addToxic(await readJson(req)));
  if (req.method === 'POST' && path === '/reset') {
    proxy.reset();
    return send(res, 200, { ok: true });
  }
  if (named && req.method === 'PATCH') {
    if (!proxy.toxics().some((t) => t.name === named[1])) return send(res, 404, { error: `no toxic named '${named[1]}'` });
    return send(res, 200, proxy.updateToxic(named[1], await readJson(req)));
  }
  if (named && req.method === 'DELETE') {
    return proxy.removeToxic(named[1]) ? send(res, 200, { ok: true }) : send(res, 404, { error: `no toxic named '${named[1]}'` });
  }
  send(res, 404, { error: `no route for ${req.method} ${path}` });
}

/** Largest control-API body accepted (bytes); a toxic is a few hundred. */
export const FAULTS_CONTROL_MAX_BODY_BYTES = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<any> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > FAULTS_CONTROL_MAX_BODY_BYTES) throw new Error(`body larger than ${FAULTS_CONTROL_MAX_BODY_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('body: invalid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`body: expected a JSON object (a toxic or the fields to change), got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
  }
  return value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
