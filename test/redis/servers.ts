import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis, type RedisOptions } from 'ioredis';

const run = promisify(execFile);

/**
 * Real Redis servers for the Redis-mode suites (Sentinel, Cluster, ACL, TLS), started and stopped
 * by the tests themselves on loopback, on fixed ports of this work area's range (7000-7199; the
 * shared Redis at 6379 is never touched). Each suite has its own ports, so suites can run in
 * parallel; each server has its own temporary directory, removed on stop. No persistence.
 */
export const PORTS = {
  /** Sentinel suite: primary, replica, three sentinels. */
  sentinel: { primary: 7030, replica: 7031, sentinels: [7032, 7033, 7034] },
  /** Cluster suite: three primaries and their cluster-bus ports (kept in range, not port + 10000). */
  cluster: { nodes: [7010, 7011, 7012], bus: [7020, 7021, 7022] },
  /** ACL and TLS suite. */
  auth: { acl: 7040, tls: 7041 },
  /** The Kubernetes manifests' Redis scripts, run for real (test/deploy). */
  deploy: { standalone: 7050, primary: 7051, sentinel: 7052, replica: 7053, generatedSentinel: 7054, closed: 7059 },
} as const;

/** One `redis-server` child with its directory. */
export class RedisServer {
  private exited: Promise<void>;
  private output = '';

  private constructor(readonly port: number, readonly dir: string, private readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-8_000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-8_000)));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /**
   * Starts `redis-server <args>` in a new temporary directory (`conf`, if given, is written there
   * as redis.conf and passed first: sentinels need a writable config file). Resolves once the
   * port accepts connections; throws with the server's output if it exits first.
   */
  static async start(port: number, args: string[], conf?: string): Promise<RedisServer> {
    await assertPortFree(port);
    const dir = await mkdtemp(join(tmpdir(), `bulwark-redis-${port}-`));
    const argv = [...(conf === undefined ? [] : [join(dir, 'redis.conf')]), '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...args];
    if (conf !== undefined) await writeFile(join(dir, 'redis.conf'), conf);
    const child = spawn('redis-server', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new RedisServer(port, dir, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited (${child.exitCode}):\n${server.output}`);
      if (await accepts(port)) return server;
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`redis-server on ${port} did not listen within 10 s:\n${server.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL (a crash: no goodbye to clients or replicas); resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Kills the server and removes its directory. */
  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A plain client for checking a server directly (not through the code under test). */
export async function directClient(port: number, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, ...options });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Polls `check` until it returns a value other than undefined (real servers settle in real time). */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A primary, one replica and three sentinels watching them as `masterName`. */
export interface SentinelSet {
  readonly masterName: string;
  readonly password: string;
  /** The sentinels as `"127.0.0.1:port"`. */
  readonly sentinelNodes: string[];
  primary: RedisServer;
  replica: RedisServer;
  sentinels: RedisServer[];
  /** The port the sentinels currently name as primary. */
  currentPrimaryPort(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the Sentinel set with `requirepass` on the data servers (the sentinels use `auth-pass`).
 * Failure detection is quick (1 s down-after) so a failover completes in a few seconds.
 */
export async function startSentinelSet(password: string, masterName = 'bulwark'): Promise<SentinelSet> {
  const { primary: primaryPort, replica: replicaPort, sentinels: sentinelPorts } = PORTS.sentinel;
  const auth = ['--requirepass', password, '--masterauth', password];
  const started: RedisServer[] = [];
  try {
    const primary = await RedisServer.start(primaryPort, auth);
    started.push(primary);
    const replica = await RedisServer.start(replicaPort, [...auth, '--replicaof', '127.0.0.1', String(primaryPort)]);
    started.push(replica);
    const replicaClient = await directClient(replicaPort, { password });
    await until('replica in sync', async () => ((await replicaClient.info('replication')).includes('master_link_status:up') ? true : undefined));
    replicaClient.disconnect();
    const conf = (port: number) => [
      `port ${port}`,
      'bind 127.0.0.1',
      `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
      `sentinel auth-pass ${masterName} ${password}`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 10000`,
      `sentinel parallel-syncs ${masterName} 1`,
      '',
    ].join('\n');
    const sentinels: RedisServer[] = [];
    for (const port of sentinelPorts) {
      const sentinel = await RedisServer.start(port, ['--sentinel'], conf(port));
      sentinels.push(sentinel);
      started.push(sentinel);
    }
    const askSentinel = async () => {
      for (const port of sentinelPorts) {
        const client = await directClient(port).catch(() => undefined);
        if (!client) continue;
        try {
          const [, p] = (await client.call('SENTINEL', 'get-master-addr-by-name', masterName)) as [string, string];
          return Number(p);
        } catch {
          // this sentinel is not answering: ask the next
        } finally {
          client.disconnect();
        }
      }
      throw new Error('no sentinel answered');
    };
    // Every sentinel has found the replica and the other sentinels: a failover can be agreed.
    await until('sentinels see each other and the replica', async () => {
      for (const port of sentinelPorts) {
        const client = await directClient(port);
        try {
          const info = (await client.call('SENTINEL', 'master', masterName)) as string[];
          const field = (name: string) => Number(info[info.indexOf(name) + 1]);
          if (field('num-slaves') < 1 || field('num-other-sentinels') < 2) return undefined;
        } finally {
          client.disconnect();
        }
      }
      return true;
    }, 40_000, 100);
    return {
      masterName, password, primary, replica, sentinels,
      sentinelNodes: sentinelPorts.map((p) => `127.0.0.1:${p}`),
      currentPrimaryPort: askSentinel,
      async stop() {
        await Promise.all(started.map((s) => s.stop()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
}

/** Three primaries forming a Redis Cluster (all 16384 slots assigned, state ok). */
export interface RedisClusterSet {
  readonly nodes: string[];
  readonly servers: RedisServer[];
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisClusterSet> {
  const { nodes: ports, bus } = PORTS.cluster;
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < ports.length; i++) {
      servers.push(await RedisServer.start(ports[i], ['--cluster-enabled', 'yes', '--cluster-port', String(bus[i]), '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000']));
    }
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await until('cluster state ok on every node', async () => {
      for (const port of ports) {
        const client = await directClient(port);
        try {
          const info = await client.call('CLUSTER', 'INFO') as string;
          if (!info.includes('cluster_state:ok')) return undefined;
        } finally {
          client.disconnect();
        }
      }
      return true;
    }, 20_000, 100);
    return { nodes, servers, stop: async () => { await Promise.all(servers.map((s) => s.stop())); } };
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
}

/** A throwaway CA, and a server certificate for 127.0.0.1 / localhost signed by it (openssl, at test time). */
export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  close(): Promise<void>;
}

export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir, timeout: 30_000 });
  try {
    await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '1', '-subj', '/CN=bulwark-test-ca');
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
    await writeFile(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.crt'), '-days', '1', '-extfile', at('san.ext'));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, caFile: at('ca.crt'), certFile: at('server.crt'), keyFile: at('server.key'), close: () => rm(dir, { recursive: true, force: true }) };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function assertPortFree(port: number): Promise<void> {
  if (await accepts(port)) throw new Error(`port ${port} is taken (a server left over from an earlier run?): the Redis-mode suites need ports ${Object.values(PORTS).flatMap((p) => Object.values(p).flat()).join(', ')} free`);
}
