import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { buildConnector, Client, Pool, type Dispatcher } from 'undici';

/** How long an idle pooled socket is kept open. Default 30_000 ms. */
export const DEFAULT_KEEP_ALIVE_MS = 30_000;
/**
 * Streams one HTTP/2 connection carries at once, when the server allows as many (its SETTINGS
 * may lower it); past it the pool opens another connection. Default 100.
 */
export const DEFAULT_H2_MAX_CONCURRENT_STREAMS = 100;

/** The pool's sizing: `connections` caps sockets (HTTP/1.1) or connections (HTTP/2); none by default. */
export interface ProviderPoolOptions {
  /**
   * Most connections to the origin at once. Default: none — the pool grows with the calls in
   * flight and idle sockets close after {@link DEFAULT_KEEP_ALIVE_MS}. Concurrency is bounded
   * where it is visible (a deployment's bulkhead, the adaptive limiter), never by a socket count
   * a long stream would make every other call queue behind.
   */
  connections?: number;
  /** @internal Extra TLS options (tests trust a throwaway CA with `ca`). */
  tls?: ConnectionOptions;
}

/**
 * The keep-alive pool of one provider origin. `https` origins are offered HTTP/2 (ALPN): a
 * connection that negotiates it carries up to {@link DEFAULT_H2_MAX_CONCURRENT_STREAMS} calls at
 * once; one that stays on HTTP/1.1 carries one call at a time, as a `http` origin's do.
 *
 * Two undici 7 defaults would otherwise make HTTP/2 one call per connection: a client's dispatch
 * is gated by `pipelining` (1) even on HTTP/2, and a POST is held back while another request runs
 * on the connection because it is not idempotent. So the pool raises `pipelining` on a
 * connection only once ALPN said `h2` (raising it for HTTP/1.1 would queue calls behind a
 * streaming answer on one socket), and marks its requests idempotent — which in undici only
 * lifts that gate: undici never replays a request on its own, retries are the retry policy's.
 *
 * @example const pool = new ProviderPool(new URL('https://api.openai.com/v1'));
 */
export class ProviderPool extends Pool {
  constructor(url: URL, options: ProviderPoolOptions = {}) {
    const allowH2 = url.protocol === 'https:';
    const connect = buildConnector({ ...options.tls, allowH2 });
    super(url.origin, {
      connections: options.connections ?? null,
      keepAliveTimeout: DEFAULT_KEEP_ALIVE_MS,
      allowH2,
      maxConcurrentStreams: DEFAULT_H2_MAX_CONCURRENT_STREAMS,
      factory: (origin, clientOptions) => clientFor(origin, clientOptions, connect),
    });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return super.dispatch(options.idempotent === undefined ? { ...options, idempotent: true } : options, handler);
  }
}

/** A client whose pipelining follows the protocol each of its connections negotiated. */
function clientFor(origin: string | URL, options: Client.Options, connect: buildConnector.connector): Client {
  const client: Client = new Client(origin, {
    ...options,
    connect: (connectOptions, callback) =>
      connect(connectOptions, (error, socket) => {
        if (error === null) client.pipelining = (socket as Partial<TLSSocket>).alpnProtocol === 'h2' ? DEFAULT_H2_MAX_CONCURRENT_STREAMS : 1;
        callback(error, socket as never);
      }),
  });
  return client;
}
