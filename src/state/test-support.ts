import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { createRedisClient, resolveConnection, type RedisConnectionOptions } from './redis-connection.js';
import { RedisLink, type RedisLinkOptions } from './redis-link.js';

/** The real Redis the tests run against (never a mock). */
export const TEST_REDIS_URL = process.env.BULWARK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses. */
export function uniquePrefix(label = 'test'): string {
  return `bulwark-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/**
 * Deletes every key under `prefix` (tests clean up after themselves): on the Redis at `target`
 * (a URL), or wherever a connection leads (sentinel: the primary; cluster: every primary).
 */
export async function deleteKeys(prefix: string, target: string | RedisConnectionOptions = TEST_REDIS_URL): Promise<void> {
  const connection = resolveConnection(typeof target === 'string' ? { url: target } : target);
  const client = createRedisClient(connection, { connectTimeoutMs: 2_000, commandTimeoutMs: 5_000, offlineQueue: true });
  client.on('error', () => {});
  try {
    await client.connect();
    const servers: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
    for (const redis of servers) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        // One DEL per key: in a cluster the keys of one batch may sit on different slots.
        for (const key of keys) await redis.del(key);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

/**
 * Links opened by one test, all on `prefix`, closed and cleaned up together. Commands get a
 * generous timeout: the machine running the suite is shared and slow, and the contract tests
 * check behaviour, not the production 50 ms bound (which has its own test).
 */
export class TestLinks {
  readonly prefix = uniquePrefix();
  private readonly links: RedisLink[] = [];

  /** `server`: where the links go (default the shared test Redis; a sentinel set or a cluster for their suites). */
  constructor(private readonly server: RedisConnectionOptions = { url: TEST_REDIS_URL }) {}

  async open(options: Partial<RedisLinkOptions> = {}): Promise<RedisLink> {
    const link = await RedisLink.connect({ ...this.server, keyPrefix: this.prefix, commandTimeoutMs: 2_000, ...options });
    this.links.push(link);
    return link;
  }

  async close(): Promise<void> {
    await Promise.all(this.links.splice(0).map((l) => l.close()));
    await deleteKeys(this.prefix, this.server);
  }
}

/** A free TCP port on 127.0.0.1 (bound and released; good enough for a throwaway server). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway `redis-server` (no persistence) that a test may stop and start again on the same
 * port — never the shared Redis at 6379, which other tests use concurrently.
 */
export class ThrowawayRedis {
  private child: import('node:child_process').ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** A server for `port` that is not started yet (`resume()` starts it). */
  static at(port: number): ThrowawayRedis {
    return new ThrowawayRedis(port);
  }

  static async start(): Promise<ThrowawayRedis> {
    const server = new ThrowawayRedis(await freePort());
    await server.resume();
    return server;
  }

  /** Starts the server (again) on its port; resolves once it answers PING. */
  async resume(): Promise<void> {
    const { spawn } = await import('node:child_process');
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'], { stdio: 'ignore' });
    const deadline = Date.now() + 5_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  /** Kills the server (SIGKILL: connections drop as in a crash); resolves when it has exited. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
