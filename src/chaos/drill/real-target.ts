/**
 * The drill target on real time: the HTTP mock provider (in this process, on a loopback
 * ephemeral port) and a real `bulwark serve` child process whose config routes every
 * deployment to the mock. A restart is a real one: SIGTERM (the gateway drains its requests in
 * flight and exits), then the same command again on the same port. Breaker openings are read
 * from the gateway's `/health` every 200 ms. With `replicas` > 1 the gateways run behind a local
 * TCP balancer ({@link startTcpBalancer}), and `killReplica()` SIGKILLs one and starts it again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../core/clock.js';
import { startMockProvider, type MockProvider } from '../mock/server.js';
import type { MockFaultsInput } from '../mock/profile.js';
import { startTcpBalancer } from '../balancer/tcp-balancer.js';
import { drillHttpSender } from './http-drill-sender.js';
import type { DrillTarget } from './target.js';
import { BASELINE_FAULTS, DRILL_ROUTE, drillRouterConfig, type DrillTimings, type TopologyOptions } from './topology.js';

/** How often the gateway's `/health` is read for breaker states (ms): the resolution of real-time TTD by breaker. */
export const HEALTH_POLL_MS = 200;
/** How long the gateway may take to start answering `/livez` (ms). */
export const GATEWAY_START_TIMEOUT_MS = 60_000;
/** Grace the gateway gives requests in flight on SIGTERM (ms). */
export const GATEWAY_SHUTDOWN_GRACE_MS = 20_000;
// The `bulwark` bin registers tsx relative to itself; `node --import tsx` would resolve tsx from
// the working directory and fail outside the repository.
const CLI_BIN = fileURLToPath(new URL('../../../bin/bulwark.js', import.meta.url));

export interface RealTargetOptions {
  timings: DrillTimings;
  topology?: TopologyOptions;
  /** Where the gateway's output goes (appended). Default: discarded. */
  logFile?: string;
  /** Seed of the mock's random source. Default 1. */
  seed?: number;
  /** Gateway processes; more than one run behind a local TCP balancer (`url` is the balancer's). Default 1. */
  replicas?: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitLive(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + GATEWAY_START_TIMEOUT_MS;
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
  throw new Error(`the gateway did not answer ${url}/livez within ${GATEWAY_START_TIMEOUT_MS} ms`);
}

/** Starts the mock and the gateway; resolves once the gateway answers. */
export async function startRealTarget(options: RealTargetOptions): Promise<DrillTarget & { readonly url: string; readonly mock: MockProvider; readonly gatewayPid: number | undefined }> {
  const mock = await startMockProvider({ profile: { default: BASELINE_FAULTS }, seed: options.seed ?? 1 });
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-drill-'));
  const replicaCount = Math.max(1, options.replicas ?? 1);
  const ports: number[] = [];
  for (let i = 0; i < replicaCount; i++) ports.push(await freePort());
  const port = ports[0];
  const router = drillRouterConfig(options.timings, (id) => mock.deploymentUrl(id), options.topology);
  // A gateway config takes secrets from the environment only: each provider key goes to the child as a variable.
  const keys: Record<string, string> = {};
  const fromEnv = (value: string | undefined) => {
    const name = `BULWARK_DRILL_SECRET_${Object.keys(keys).length}`;
    keys[name] = value ?? '';
    return `\${${name}:-}`;
  };
  const providers = Object.fromEntries(Object.entries(router.providers).map(([name, provider]) => [name, {
    ...provider,
    ...(provider.apiKey !== undefined ? { apiKey: fromEnv(provider.apiKey) } : {}),
    ...(provider.awsCredentials ? { awsCredentials: { ...provider.awsCredentials, secretAccessKey: fromEnv(provider.awsCredentials.secretAccessKey), ...(provider.awsCredentials.sessionToken ? { sessionToken: fromEnv(provider.awsCredentials.sessionToken) } : {}) } } : {}),
  }]));
  const config = {
    server: { host: '127.0.0.1', port, shutdownGraceMs: GATEWAY_SHUTDOWN_GRACE_MS, drainDelayMs: 0 },
    logging: { level: 'warn' },
    ...router,
    providers,
  };
  const configPath = join(dir, 'gateway.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const log: WriteStream | undefined = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;

  const launch = async (replicaPort = port): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--config', configPath, '--port', String(replicaPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', ...keys },
    });
    child.stdout?.on('data', (chunk: Buffer) => log?.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => log?.write(chunk));
    await waitLive(`http://127.0.0.1:${replicaPort}`, child);
    return child;
  };
  const stop = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };

  const replicas = await Promise.all(ports.map((p) => launch(p)));
  let gateway = replicas[0];
  const balancer = replicaCount > 1 ? await startTcpBalancer({ upstreams: ports.map((p) => `127.0.0.1:${p}`) }) : undefined;
  const url = balancer?.url ?? `http://127.0.0.1:${port}`;
  const sender = drillHttpSender({ url, model: DRILL_ROUTE });
  const breakerOpens: number[] = [];
  const poller = pollBreakers(url, breakerOpens);
  return {
    clock: systemClock,
    url,
    mock,
    /** The running gateway process (for the soak's RSS and open-file figures). */
    get gatewayPid() {
      return gateway.pid;
    },
    breakerOpens,
    send: sender.send,
    async setFaults(deployments, faults: MockFaultsInput | null) {
      const patch: Record<string, MockFaultsInput | null> = {};
      for (const id of deployments) patch[id] = faults === null ? null : { ...BASELINE_FAULTS, ...faults };
      mock.patchProfile({ deployments: patch });
    },
    async restart() {
      await stop(gateway);
      gateway = replicas[0] = await launch();
    },
    async killReplica() {
      // Chaos Monkey: no drain, no goodbye. The balancer sends new connections elsewhere; the
      // killed one's connections are cut, and their clients retry.
      const index = Math.floor(Math.random() * replicas.length);
      const victim = replicas[index];
      const exited = new Promise<void>((resolve) => victim.once('exit', () => resolve()));
      victim.kill('SIGKILL');
      await exited;
      replicas[index] = await launch(ports[index]);
      if (index === 0) gateway = replicas[0];
    },
    async close() {
      clearInterval(poller);
      await sender.close();
      await balancer?.close();
      await Promise.all(replicas.map((r) => stop(r)));
      await mock.close();
      log?.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Reads the gateway's `/health` (application/health+json: a `<deployment>:breaker` check per
 * deployment) every {@link HEALTH_POLL_MS} and records when a breaker is first seen open.
 * Failed reads (a gateway restarting) are skipped.
 */
function pollBreakers(url: string, opens: number[]): NodeJS.Timeout {
  const last = new Map<string, unknown>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    fetch(`${url}/health`, { signal: AbortSignal.timeout(HEALTH_POLL_MS * 5) })
      .then((res) => res.json() as Promise<{ checks?: Record<string, Array<{ observedValue?: unknown }>> }>)
      .then((health) => {
        const now = Date.now();
        for (const [key, entries] of Object.entries(health.checks ?? {})) {
          if (!key.endsWith(':breaker')) continue;
          const state = entries[0]?.observedValue;
          if (state === 'open' && last.get(key) !== 'open') opens.push(now);
          last.set(key, state);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, HEALTH_POLL_MS);
  timer.unref();
  return timer;
}
