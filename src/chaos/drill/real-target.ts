/**
 * The drill target on real time: the HTTP mock provider (in this process, on a loopback
 * ephemeral port) and a real `bulwark serve` child process whose config routes every
 * deployment to the mock. A restart is a real one: SIGTERM (the gateway drains its requests in
 * flight and exits), then the same command again on the same port. Breaker openings are read
 * from the gateway's `/health` every 200 ms. With `replicas` > 1 the gateways run behind a local
 * TCP balancer (see `balancer/replica-set.ts`), and `killReplica()` SIGKILLs one and starts it again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../core/clock.js';
import { startMockProvider, type MockProvider } from '../mock/server.js';
import type { MockFaultsInput } from '../mock/profile.js';
import { startReplicaSet } from '../balancer/replica-set.js';
import { drillHttpSender } from './http-drill-sender.js';
import type { DrillTarget } from './target.js';
import { BASELINE_FAULTS, DRILL_ROUTE, drillRouterConfig, type DrillTimings, type TopologyOptions } from './topology.js';

/** How often the gateway's `/health` is read for breaker states (ms): the resolution of real-time TTD by breaker. */
export const HEALTH_POLL_MS = 200;
/** Grace the gateway gives requests in flight on SIGTERM (ms). */
export const GATEWAY_SHUTDOWN_GRACE_MS = 20_000;

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

/** Starts the mock and the gateway; resolves once the gateway answers. */
export async function startRealTarget(options: RealTargetOptions): Promise<DrillTarget & { readonly url: string; readonly mock: MockProvider; readonly gatewayPid: number | undefined }> {
  const mock = await startMockProvider({ profile: { default: BASELINE_FAULTS }, seed: options.seed ?? 1 });
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-drill-'));
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
  // The port is each replica's `--port`.
  const config = {
    server: { host: '127.0.0.1', port: 0, shutdownGraceMs: GATEWAY_SHUTDOWN_GRACE_MS, drainDelayMs: 0 },
    logging: { level: 'warn' },
    ...router,
    providers,
  };
  const configPath = join(dir, 'gateway.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  let replicas: Awaited<ReturnType<typeof startReplicaSet>>;
  try {
    replicas = await startReplicaSet({ configPath, replicas: options.replicas, logFile: options.logFile, env: keys });
  } catch (error) {
    // A gateway that cannot start must not leave the mock listening (the drill process would never exit).
    await mock.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = replicas.url;
  const sender = drillHttpSender({ url, model: DRILL_ROUTE });
  const breakerOpens: number[] = [];
  const poller = pollBreakers(url, breakerOpens);
  return {
    clock: systemClock,
    url,
    mock,
    /** The first gateway process (for the soak's RSS and open-file figures). */
    get gatewayPid() {
      return replicas.pid(0);
    },
    breakerOpens,
    send: sender.send,
    async setFaults(deployments, faults: MockFaultsInput | null) {
      const patch: Record<string, MockFaultsInput | null> = {};
      for (const id of deployments) patch[id] = faults === null ? null : { ...BASELINE_FAULTS, ...faults };
      mock.patchProfile({ deployments: patch });
    },
    restart: () => replicas.restart(0),
    async killReplica() {
      await replicas.kill();
    },
    async close() {
      clearInterval(poller);
      await sender.close();
      await replicas.close();
      await mock.close();
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
