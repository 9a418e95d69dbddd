import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createConnection, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';
import { type Clock, systemClock } from '../../core/clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { defaultRandom, type RandomSource } from '../../core/random.js';
import { ToxicConnection, ToxicStream } from './toxic-stream.js';
import { HTTP_ONLY_TOXICS, parseToxic, type Toxic, type ToxicInput } from './toxics.js';
import { startControlApi } from './control-api.js';

/** Options of {@link startFaultProxy}; only `upstream` is required. */
export interface FaultProxyOptions {
  /** Where traffic goes: `host:port` or a URL. */
  upstream: string;
  /** Where the proxy listens. Default 127.0.0.1, port 0 (ephemeral). */
  host?: string;
  port?: number;
  /** `tcp` (default): bytes only. `http`: an HTTP reverse proxy, which adds the http_* toxics. */
  mode?: 'tcp' | 'http';
  /** The JSON control API's address; `false` for none. Default 127.0.0.1, ephemeral port. */
  api?: { host?: string; port?: number } | false;
  toxics?: ToxicInput[];
  clock?: Clock;
  random?: RandomSource;
}

/** A running fault proxy: its address, its toxics (changeable at runtime) and counters. */
export interface FaultProxy {
  /** `http://host:port` of the proxy. */
  readonly url: string;
  readonly port: number;
  /** Base URL of the control API, when enabled. */
  readonly apiUrl: string | undefined;
  toxics(): Toxic[];
  /** Adds a toxic (validated); replaces one of the same name. */
  addToxic(input: ToxicInput): Toxic;
  /** Changes fields of an existing toxic. */
  updateToxic(name: string, patch: Partial<ToxicInput>): Toxic;
  removeToxic(name: string): boolean;
  /** Removes every toxic. */
  reset(): void;
  stats(): { connections: number; openConnections: number; requests: number; faultedRequests: number };
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

/**
 * Starts a fault-injection proxy in front of `upstream`, with toxics controllable at runtime
 * (programmatically, over the JSON API, or with `bulwark faults`).
 *
 * @example
 * const proxy = await startFaultProxy({ upstream: '127.0.0.1:4010', mode: 'http' });
 * proxy.addToxic({ name: 'slow', type: 'latency', attributes: { latencyMs: 500 } });
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? defaultRandom;
  const upstream = parseUpstream(options.upstream);
  const mode = options.mode ?? 'tcp';
  let list: Toxic[] = [];
  const live = new Set<ToxicConnection>();
  const sockets = new Set<Socket>();
  const counters = { connections: 0, requests: 0, faultedRequests: 0 };
  const toxics = () => list;
  const checkMode = (toxic: Toxic): Toxic => {
    if (mode === 'tcp' && HTTP_ONLY_TOXICS.includes(toxic.type)) throw new InvalidOptionsError(`${toxic.type}: needs the proxy in http mode`);
    return toxic;
  };
  const changed = () => {
    for (const connection of live) connection.refresh();
  };

  const proxy: FaultProxy = {
    url: '',
    port: 0,
    apiUrl: undefined,
    toxics: () => list.map((t) => structuredClone(t)),
    addToxic(input) {
      const toxic = checkMode(parseToxic(input));
      list = [...list.filter((t) => t.name !== toxic.name), toxic];
      changed();
      return toxic;
    },
    updateToxic(name, patch) {
      const current = list.find((t) => t.name === name);
      if (!current) throw new Error(`no toxic named '${name}'`);
      const next = checkMode(parseToxic({ ...current, ...patch, name, attributes: { ...current.attributes, ...(patch.attributes ?? {}) } }));
      list = list.map((t) => (t.name === name ? next : t));
      changed();
      return next;
    },
    removeToxic(name) {
      const before = list.length;
      list = list.filter((t) => t.name !== name);
      changed();
      return list.length < before;
    },
    reset() {
      list = [];
      changed();
    },
    stats: () => ({ ...counters, openConnections: sockets.size }),
    close: async () => undefined,
  };
  for (const toxic of options.toxics ?? []) proxy.addToxic(toxic);

  let server: TcpServer | HttpServer;
  let pool: Pool | undefined;
  if (mode === 'tcp') {
    server = createTcpServer((client) => {
      counters.connections++;
      track(client);
      const target = createConnection({ host: upstream.host, port: upstream.port });
      track(target);
      const connection = new ToxicConnection(toxics, {
        reset: () => { client.resetAndDestroy(); target.destroy(); },
        close: () => { client.destroy(); target.destroy(); },
      }, clock, random);
      live.add(connection);
      // Each direction ends on its own (half-close: pipe() forwards the end), so a slow_close
      // toxic can hold the client's end back after the upstream has gone. stream.pipeline would
      // destroy the client as soon as the upstream closed, so plain pipes are used here.
      const teardown = () => {
        connection.dispose();
        live.delete(connection);
        client.destroy();
        target.destroy();
      };
      client.pipe(new ToxicStream(connection, 'upstream')).pipe(target);
      target.pipe(new ToxicStream(connection, 'downstream')).pipe(client);
      client.on('close', teardown);
      target.on('error', () => {
        if (!target.readableEnded) teardown(); // refused or reset upstream: the client sees it at once
      });
    });
  } else {
    pool = new Pool(`http://${upstream.host}:${upstream.port}`, { connections: 128 });
    const upstreamPool = pool;
    server = createHttpServer((req, res) => {
      counters.requests++;
      handleHttp(req, res, upstreamPool).catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        // The upstream is down or refused us before answering: say so, as an HTTP proxy does.
        res.writeHead(502, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: { message: `fault proxy: upstream ${upstream.host}:${upstream.port} unreachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, type: 'upstream_unreachable' } }));
      });
    });
    server.on('connection', (socket: Socket) => {
      counters.connections++;
      track(socket);
    });
  }

  function track(socket: Socket): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse, upstreamPool: Pool): Promise<void> {
    const connection = new ToxicConnection(toxics, {
      reset: () => req.socket.resetAndDestroy(),
      close: () => res.destroy(),
    }, clock, random);
    live.add(connection);
    res.on('close', () => {
      connection.dispose();
      live.delete(connection);
    });
    const downstream = connection.active('downstream');
    const status = downstream.find((t) => t.type === 'http_status');
    if (status?.type === 'http_status') {
      counters.faultedRequests++;
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (status.attributes.retryAfterSeconds !== undefined) headers['retry-after'] = String(status.attributes.retryAfterSeconds);
      res.writeHead(status.attributes.status, headers);
      res.end(status.attributes.body ?? JSON.stringify({ error: { message: `fault injected: HTTP ${status.attributes.status}`, type: 'fault_injected' } }));
      return;
    }
    if (connection.hanging()) {
      req.resume();
      return; // hold the request; the timeout toxic's timer (if any) closes it
    }
    const headers: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(key)) headers[key] = value;
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const upstreamResponse = await upstreamPool.request({
      method: req.method as 'POST',
      path: req.url ?? '/',
      headers,
      body: hasBody ? req.pipe(new ToxicStream(connection, 'upstream')) : undefined,
    });
    const responseHeaders: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(upstreamResponse.headers)) if (value !== undefined && !HOP_BY_HOP.has(key)) responseHeaders[key] = value;
    if (downstream.some((t) => t.type === 'http_corrupt')) {
      counters.faultedRequests++;
      const text = await upstreamResponse.body.text();
      res.writeHead(upstreamResponse.statusCode, responseHeaders);
      res.end(`${text.slice(0, Math.floor(text.length / 2))}\u0000{"corrupted`);
      return;
    }
    res.writeHead(upstreamResponse.statusCode, responseHeaders);
    pipeline(upstreamResponse.body, new ToxicStream(connection, 'downstream'), res, () => undefined);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  Object.assign(proxy, { url: `http://${host}:${address.port}`, port: address.port });

  let api: Awaited<ReturnType<typeof startControlApi>> | undefined;
  try {
    api = options.api === false ? undefined : await startControlApi(proxy, options.api ?? {});
  } catch (error) {
    // Do not leave the proxy listening (and the process alive) when its control API cannot start.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool?.close();
    throw error;
  }
  Object.assign(proxy, { apiUrl: api?.url });

  proxy.close = async () => {
    for (const connection of live) connection.dispose();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool?.close();
    await api?.close();
  };
  return proxy;
}

function parseUpstream(text: string): { host: string; port: number } {
  let url: URL | undefined;
  try {
    url = new URL(text.includes('://') ? text : `tcp://${text}`);
  } catch {
    url = undefined;
  }
  const port = Number(url?.port);
  if (!url?.hostname || !(port > 0)) throw new InvalidOptionsError(`upstream: expected host:port or a URL with a port, got '${text}'`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}
