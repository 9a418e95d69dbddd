import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Cluster, Redis, SentinelConnector, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { InvalidOptionsError } from '../core/errors.js';
import { DEFAULT_RECONNECT_MAX_DELAY_MS, DEFAULT_RECONNECT_STEP_MS } from './defaults.js';

/** A client of either shape; both run every command, script, pipeline and MULTI the stores use. */
export type RedisClient = Redis | Cluster;

/** Sentinel: the sentinels to ask for the current primary of `masterName` (failovers are followed). */
export interface RedisSentinelOptions {
  /** The monitored primary's name (`sentinel monitor <name> …`). */
  masterName: string;
  /** Sentinels as `"host:port"` (at least one; list them all). */
  nodes: string[];
  /** ACL user of the sentinels themselves, if they require one. */
  username?: string;
  /** Password of the sentinels themselves (`requirepass` in sentinel.conf), if any. Never logged. */
  password?: string;
  /** Talk TLS to the sentinels too (with the same `tls` files). Default false. */
  tls?: boolean;
}

/** Cluster: seed nodes; the client learns every other node and slot from them. */
export interface RedisClusterOptions {
  /** Nodes as `"host:port"` (at least one; several, so that one node down does not block the start). */
  nodes: string[];
}

/** TLS files (PEM). With `url`, TLS comes from `rediss://`; with sentinel or cluster, from this section. */
export interface RedisTlsOptions {
  /** CA bundle the server's certificate must chain to (default: the system's CAs). */
  caFile?: string;
  /** Client certificate, for servers that ask for one (`tls-auth-clients yes`). */
  certFile?: string;
  /** Key of the client certificate. */
  keyFile?: string;
  /** Name the server certificate must carry, when it is not the host connected to. */
  serverName?: string;
}

/**
 * Where Redis is and how to authenticate: exactly one of `url` (a single server, or a managed
 * endpoint), `sentinel` or `cluster`; an ACL `username` and a `password` (or both in the URL);
 * `tls` files. Validated once by {@link resolveConnection}; never echoed in a message.
 */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Never logged. */
  url?: string;
  sentinel?: RedisSentinelOptions;
  cluster?: RedisClusterOptions;
  /** ACL user (Redis 6+); without it, `default`. */
  username?: string;
  /** Password of `username` (or `requirepass`). Never logged. */
  password?: string;
  tls?: RedisTlsOptions;
}

/** {@link RedisConnectionOptions} checked, with TLS files read. */
export interface ResolvedConnection {
  readonly mode: 'standalone' | 'sentinel' | 'cluster';
  readonly url: string | undefined;
  readonly sentinel: (Omit<RedisSentinelOptions, 'nodes'> & { nodes: Array<{ host: string; port: number }> }) | undefined;
  readonly clusterNodes: Array<{ host: string; port: number }> | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Node TLS options, or undefined for plain TCP (a `rediss://` URL alone gives `{}`). */
  readonly tls: TlsConnectionOptions | undefined;
}

const WHERE = 'redisState';

/** Checks the connection options once; messages name the field, never a URL or password. */
export function resolveConnection(options: RedisConnectionOptions): ResolvedConnection {
  const modes = (['url', 'sentinel', 'cluster'] as const).filter((m) => options[m] !== undefined);
  if (modes.length !== 1) {
    throw new InvalidOptionsError(`${WHERE}: exactly one of url, sentinel or cluster must be set (got ${modes.length === 0 ? 'none' : modes.join(' and ')})`);
  }
  for (const field of ['username', 'password'] as const) {
    if (options[field] !== undefined && (typeof options[field] !== 'string' || options[field] === '')) {
      throw new InvalidOptionsError(`${WHERE}: ${field} must be a non-empty string (not shown)`);
    }
  }
  let tls = options.tls === undefined ? undefined : readTls(options.tls);
  let url: string | undefined;
  let sentinel: ResolvedConnection['sentinel'];
  let clusterNodes: ResolvedConnection['clusterNodes'];
  if (options.url !== undefined) {
    if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
      throw new InvalidOptionsError(`${WHERE}: url must be a redis:// or rediss:// URL (got a value that is not; not shown, it may hold a password)`);
    }
    url = options.url;
    const secure = url.startsWith('rediss://');
    if (tls && !secure) throw new InvalidOptionsError(`${WHERE}: tls is set but url is redis:// (use rediss:// for TLS)`);
    if (secure) tls ??= {};
  } else if (options.sentinel !== undefined) {
    const s = options.sentinel;
    if (s === null || typeof s !== 'object') throw new InvalidOptionsError(`${WHERE}: sentinel must be an object (got ${typeof s})`);
    if (typeof s.masterName !== 'string' || s.masterName === '') throw new InvalidOptionsError(`${WHERE}: sentinel.masterName must be a non-empty string (got ${JSON.stringify(s.masterName)})`);
    if (s.tls !== undefined && typeof s.tls !== 'boolean') throw new InvalidOptionsError(`${WHERE}: sentinel.tls must be a boolean (got ${typeof s.tls})`);
    if (s.tls && !tls) throw new InvalidOptionsError(`${WHERE}: sentinel.tls needs the tls section (its CA is used for the sentinels too)`);
    for (const field of ['username', 'password'] as const) {
      if (s[field] !== undefined && (typeof s[field] !== 'string' || s[field] === '')) throw new InvalidOptionsError(`${WHERE}: sentinel.${field} must be a non-empty string (not shown)`);
    }
    sentinel = { ...s, nodes: addresses('sentinel.nodes', s.nodes) };
  } else {
    const c = options.cluster;
    if (c === null || typeof c !== 'object') throw new InvalidOptionsError(`${WHERE}: cluster must be an object (got ${typeof c})`);
    clusterNodes = addresses('cluster.nodes', c!.nodes);
  }
  return Object.freeze({
    mode: url !== undefined ? 'standalone' : sentinel ? 'sentinel' : 'cluster',
    url, sentinel, clusterNodes, username: options.username, password: options.password, tls,
  } as const);
}

/** How one client of a link behaves (the command connection and the subscriber differ). */
export interface ClientBehaviour {
  readonly connectTimeoutMs: number;
  /** Commands fail after this long (the command connection); none for the subscriber. */
  readonly commandTimeoutMs?: number;
  /** False for the command connection: a command never waits for a reconnect. */
  readonly offlineQueue: boolean;
}

/**
 * Builds one ioredis client (not connected yet: `connect()` starts it) for a resolved connection.
 * Every mode reconnects with a short capped backoff, and reconnects on `READONLY` (a primary that
 * was demoted under us: sentinel then names the new one; a managed endpoint's DNS moved).
 */
export function createRedisClient(connection: ResolvedConnection, behaviour: ClientBehaviour): RedisClient {
  const retryStrategy = (times: number) => Math.min(times * DEFAULT_RECONNECT_STEP_MS, DEFAULT_RECONNECT_MAX_DELAY_MS);
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: behaviour.connectTimeoutMs,
    enableReadyCheck: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: behaviour.offlineQueue,
    autoResubscribe: true,
    retryStrategy,
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
    ...(behaviour.commandTimeoutMs !== undefined ? { commandTimeout: behaviour.commandTimeoutMs } : {}),
    ...(connection.username !== undefined ? { username: connection.username } : {}),
    ...(connection.password !== undefined ? { password: connection.password } : {}),
    ...(connection.tls ? { tls: connection.tls } : {}),
  };
  if (connection.mode === 'standalone') return new Redis(connection.url!, { ...common, Connector: GuardedStandaloneConnector });
  if (connection.mode === 'sentinel') {
    const s = connection.sentinel!;
    return new Redis({
      ...common,
      Connector: GuardedSentinelConnector,
      sentinels: s.nodes,
      name: s.masterName,
      ...(s.username !== undefined ? { sentinelUsername: s.username } : {}),
      ...(s.password !== undefined ? { sentinelPassword: s.password } : {}),
      ...(connection.tls ? { enableTLSForSentinelMode: true } : {}),
      ...(s.tls ? { sentinelTLS: connection.tls } : {}),
      sentinelRetryStrategy: retryStrategy,
      sentinelCommandTimeout: behaviour.connectTimeoutMs,
      // Listen for +switch-master on the sentinels: a failover is followed at once, not at the next error.
      failoverDetector: true,
    });
  }
  const cluster: ClusterOptions = {
    lazyConnect: true,
    enableReadyCheck: true,
    enableOfflineQueue: behaviour.offlineQueue,
    clusterRetryStrategy: retryStrategy,
    // Slot moves and failovers answer MOVED/ASK/CLUSTERDOWN: follow them briefly, never for long.
    maxRedirections: 4,
    retryDelayOnFailover: DEFAULT_RECONNECT_STEP_MS,
    retryDelayOnClusterDown: DEFAULT_RECONNECT_STEP_MS,
    redisOptions: { ...common, Connector: GuardedStandaloneConnector },
  };
  return new Cluster(connection.clusterNodes!, cluster);
}

/**
 * ioredis listens for its socket's 'error' once per connection (once in the connector, once in
 * the client), but a TLS socket can emit another after the first (seen here: a handshake refused
 * for a missing CA or client certificate, then the server's alert): with no listener left, that
 * error is uncaught and ends the process. These connectors — ioredis' own, one listener more —
 * give every socket a listener of its own from the moment it exists (ioredis still reports the
 * first error as before). The standalone connector is not exported by ioredis' index, so it is
 * loaded from its file (ioredis is pinned; a test opens a link in each mode).
 */
type ConnectorClass = new (...args: any[]) => { connect(...args: never[]): Promise<NodeJS.EventEmitter> };
const { default: StandaloneConnector } = createRequire(import.meta.url)('ioredis/built/connectors/StandaloneConnector.js') as { default: ConnectorClass };

function ignoreError(): void {}

function guarded<C extends ConnectorClass>(Base: C): C {
  return class extends Base {
    override async connect(...args: never[]): Promise<NodeJS.EventEmitter> {
      const stream = await super.connect(...args);
      stream.on('error', ignoreError);
      return stream;
    }
  };
}

const GuardedStandaloneConnector = guarded(StandaloneConnector) as unknown as RedisOptions['Connector'];
const GuardedSentinelConnector = guarded(SentinelConnector as unknown as ConnectorClass) as unknown as RedisOptions['Connector'];

function addresses(field: string, nodes: unknown): Array<{ host: string; port: number }> {
  if (!Array.isArray(nodes) || nodes.length === 0) throw new InvalidOptionsError(`${WHERE}: ${field} must be a non-empty list of "host:port" (got ${Array.isArray(nodes) ? 'an empty list' : typeof nodes})`);
  return nodes.map((node, i) => {
    const match = typeof node === 'string' ? /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(node) : null;
    const port = match ? Number(match[3]) : NaN;
    if (!match || port < 1 || port > 65_535) throw new InvalidOptionsError(`${WHERE}: ${field}[${i}] must be "host:port" (got ${JSON.stringify(node)})`);
    return { host: match[1] ?? match[2], port };
  });
}

function readTls(tls: RedisTlsOptions): TlsConnectionOptions {
  if (tls === null || typeof tls !== 'object') throw new InvalidOptionsError(`${WHERE}: tls must be an object (got ${typeof tls})`);
  const read = (field: 'caFile' | 'certFile' | 'keyFile') => {
    const path = tls[field];
    if (path === undefined) return undefined;
    if (typeof path !== 'string' || path === '') throw new InvalidOptionsError(`${WHERE}: tls.${field} must be a file path (got ${JSON.stringify(path)})`);
    try {
      return readFileSync(path);
    } catch (error) {
      throw new InvalidOptionsError(`${WHERE}: tls.${field} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${path})`);
    }
  };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) throw new InvalidOptionsError(`${WHERE}: tls.certFile and tls.keyFile go together (got only ${tls.certFile === undefined ? 'keyFile' : 'certFile'})`);
  if (tls.serverName !== undefined && (typeof tls.serverName !== 'string' || tls.serverName === '')) throw new InvalidOptionsError(`${WHERE}: tls.serverName must be a non-empty string (got ${JSON.stringify(tls.serverName)})`);
  const ca = read('caFile');
  const cert = read('certFile');
  const key = read('keyFile');
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
  };
}
