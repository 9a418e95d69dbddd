/**
 * Several `bulwark serve` processes of one config, on loopback ports, behind the local TCP
 * balancer ({@link startTcpBalancer}) when there is more than one — what Chaos Monkey needs to
 * kill. Used by the real-time drills (`replica-kill`, `gateway-restart`, the soak) and by the
 * `replica.kill` action of chaos experiments.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { defaultRandom, type RandomSource } from '../../core/random.js';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer.js';

/** How long a replica may take to start answering `/livez` (ms). */
export const REPLICA_START_TIMEOUT_MS = 60_000;
// The `bulwark` bin runs the compiled CLI; spawning it (not `node --import tsx`) works outside
// the repository too.
const CLI_BIN = fileURLToPath(new URL('../../../bin/bulwark.js', import.meta.url));

/** Options of {@link startReplicaSet}. */
export interface ReplicaSetOptions {
  /** The config every replica serves (`bulwark serve --config`); each gets its own `--port`. */
  configPath: string;
  /** Number of replicas. Default 1 (no balancer). */
  replicas?: number;
  /** The balancer's port when there are several replicas. Default 0 (ephemeral). */
  balancerPort?: number;
  /** Extra environment of the replicas (over this process's). */
  env?: Record<string, string>;
  /** Where the replicas' output goes (appended). Default: discarded. */
  logFile?: string;
  /** Picks the replica {@link ReplicaSet.kill} kills. Default `Math.random`. */
  random?: RandomSource;
}

/** What one kill did. */
export interface ReplicaKill {
  /** Which replica (0-based) and its port. */
  index: number;
  port: number;
  /** The process SIGKILLed. */
  pid: number | undefined;
  /** The process started in its place (absent when it was not restarted). */
  newPid?: number;
  /** SIGKILL → the new process answers `/livez` (ms). */
  downMs?: number;
}

/** A running set of replicas. */
export interface ReplicaSet {
  /** Where clients go: the balancer's URL, or the lone replica's. */
  readonly url: string;
  readonly ports: readonly number[];
  /** Connections the balancer handed to each replica so far (empty without a balancer). */
  readonly connections: readonly number[];
  /** The process of replica `index` now. */
  pid(index: number): number | undefined;
  /** Whether replica `index` is running (started and not exited). */
  running(index: number): boolean;
  /**
   * SIGKILLs a replica chosen at random — no drain: its connections are cut — then, after
   * `restartAfterMs` (default 0), starts it again on its port unless `restart` is false.
   * Resolves once it answers again (or at once when not restarted).
   */
  kill(options?: { restart?: boolean; restartAfterMs?: number }): Promise<ReplicaKill>;
  /** Starts replica `index` again if it is not running. */
  start(index: number): Promise<void>;
  /** SIGTERM (the gateway drains its requests in flight), then the same command again on the same port. */
  restart(index: number): Promise<void>;
  /** Stops everything (SIGTERM, then waits for each exit). */
  close(): Promise<void>;
}

/** A free loopback port (there is a small race before the replica binds it; fine on loopback). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitLive(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + REPLICA_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with code ${child.exitCode} while starting (see its log)`);
    try {
      const res = await fetch(`${url}/livez`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the gateway did not answer ${url}/livez within ${REPLICA_START_TIMEOUT_MS} ms`);
}

const running = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;

/** Starts the replicas (and the balancer when there are several); resolves once every replica answers `/livez`. */
export async function startReplicaSet(options: ReplicaSetOptions): Promise<ReplicaSet> {
  const count = Math.max(1, options.replicas ?? 1);
  const random = options.random ?? defaultRandom;
  const log: WriteStream | undefined = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const children: Array<ChildProcess | undefined> = ports.map(() => undefined);

  const launch = async (index: number): Promise<void> => {
    const port = ports[index];
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--config', options.configPath, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', ...options.env },
    });
    child.stdout?.on('data', (chunk: Buffer) => log?.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => log?.write(chunk));
    children[index] = child;
    await waitLive(`http://127.0.0.1:${port}`, child);
  };
  const stop = async (child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> => {
    if (!running(child)) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  };

  let balancer: TcpBalancer | undefined;
  try {
    await Promise.all(ports.map((_, index) => launch(index)));
    if (count > 1) balancer = await startTcpBalancer({ upstreams: ports.map((p) => `127.0.0.1:${p}`), port: options.balancerPort });
  } catch (error) {
    await Promise.all(children.map((child) => stop(child, 'SIGKILL')));
    log?.end();
    throw error;
  }
  return {
    url: balancer?.url ?? `http://127.0.0.1:${ports[0]}`,
    ports,
    connections: balancer?.connections ?? [],
    pid: (index) => children[index]?.pid,
    running: (index) => running(children[index]),
    async kill({ restart = true, restartAfterMs = 0 } = {}) {
      // Chaos Monkey: no drain, no goodbye. The balancer sends new connections elsewhere; the
      // killed one's connections are cut, and their clients retry.
      const index = Math.min(count - 1, Math.floor(random() * count));
      const victim = children[index];
      const killed: ReplicaKill = { index, port: ports[index], pid: victim?.pid };
      const at = Date.now();
      await stop(victim, 'SIGKILL');
      if (!restart) return killed;
      if (restartAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, restartAfterMs));
      await launch(index);
      return { ...killed, newPid: children[index]?.pid, downMs: Date.now() - at };
    },
    async start(index) {
      if (!running(children[index])) await launch(index);
    },
    async restart(index) {
      await stop(children[index], 'SIGTERM');
      await launch(index);
    },
    async close() {
      await balancer?.close();
      await Promise.all(children.map((child) => stop(child, 'SIGTERM')));
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
    },
  };
}
