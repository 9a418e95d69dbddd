import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** An upstream that refused a connection is skipped for this long (ms), as a load balancer's passive check would. */
export const BALANCER_DOWN_MS = 1_000;

/** Options of {@link startTcpBalancer}. */
export interface TcpBalancerOptions {
  /** `host:port` of each replica. */
  upstreams: readonly string[];
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
}

/** A running balancer. */
export interface TcpBalancer {
  readonly url: string;
  readonly port: number;
  /** Connections handed to each upstream so far. */
  readonly connections: readonly number[];
  close(): Promise<void>;
}

/**
 * The load balancer of local multi-replica drills: round-robin over TCP connections, and a
 * connection an upstream refuses (a replica killed and not yet back) is tried on the next one
 * (HAProxy's `redispatch`), the refusing upstream skipped for {@link BALANCER_DOWN_MS}. A
 * connection already carried by an upstream that dies is cut, as behind any real balancer: the
 * client sees a reset and retries. Loopback only; nothing is parsed.
 *
 * @example const lb = await startTcpBalancer({ upstreams: ['127.0.0.1:4001', '127.0.0.1:4002'] });
 */
export async function startTcpBalancer(options: TcpBalancerOptions): Promise<TcpBalancer> {
  const upstreams = options.upstreams.map((u) => {
    const colon = u.lastIndexOf(':');
    return { host: u.slice(0, colon), port: Number(u.slice(colon + 1)), downUntil: 0 };
  });
  const counts = upstreams.map(() => 0);
  const open = new Set<Socket>();
  let next = 0;

  const connect = (client: Socket, tried: number) => {
    if (client.destroyed) return;
    if (tried >= upstreams.length) {
      client.destroy(); // nobody takes connections: the client sees a reset
      return;
    }
    const now = Date.now();
    let index = next++ % upstreams.length;
    // Prefer an upstream that is not marked down; when all are, try them anyway.
    for (let i = 0; i < upstreams.length && upstreams[index].downUntil > now; i++) index = next++ % upstreams.length;
    const target = upstreams[index];
    const upstream = createConnection({ host: target.host, port: target.port });
    open.add(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      counts[index]++;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) {
        target.downUntil = Date.now() + BALANCER_DOWN_MS;
        open.delete(upstream);
        connect(client, tried + 1);
      } else client.destroy();
    });
    upstream.on('close', () => {
      open.delete(upstream);
      if (connected) client.destroy();
    });
    client.once('close', () => upstream.destroy());
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.on('error', () => client.destroy());
    client.once('close', () => open.delete(client));
    connect(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: counts,
    close: () => new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
