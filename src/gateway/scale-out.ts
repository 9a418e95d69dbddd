import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { RunnablePolicy } from '../core/policy.js';
import { MemoryCacheStore } from '../state/cache/memory-cache-store.js';
import type { RouterDeps } from '../llm/router/router-deps.js';
import { createSharedState, type SharedState } from '../state/shared-state.js';
import type { GatewayConfig } from './config/schema.js';
import { DeploymentQuota } from './deployment-quota.js';
import type { GatewayServer } from './http/server.js';
import { sendJson } from './http/respond.js';
import type { RouterSlot } from './router-slot.js';
import type { GatewayRouter } from './gateway.js';
import type { ReplicaDeploymentHealth } from '../state/cluster-health.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../state/defaults.js';
import { FirstTokenLimit } from './first-token-limit.js';
import { isOverloadSignal, LoadShedder } from './load-shedder.js';
import { SharedKeyRateLimiter } from './shared-key-rate-limiter.js';
import { PASS_THROUGH_PATHS } from './endpoints/endpoint-routes.js';

/** What the gateway hands the router from the scale-out layer. */
export type ScaleOutRouterDeps = Pick<RouterDeps, 'breakerStore' | 'probeGate' | 'cacheStore' | 'deploymentPolicies'>;

const CHAT_PATHS: readonly string[] = ['/v1/chat/completions', '/v1/messages', ...PASS_THROUGH_PATHS];

/**
 * The gateway's scale-out wiring, in one place: the shared state (`state:` — memory, or Redis
 * shared by every replica) and load shedding (`loadShedding:`).
 * - the router gets the shared breaker store, probe gate and response cache, plus per-deployment
 *   policies: a first-token concurrency limit ({@link FirstTokenLimit}) and the deployment's global RPM/TPM;
 * - per-key RPM is counted globally ({@link SharedKeyRateLimiter});
 * - the chat endpoints run under the gateway-wide adaptive limit ({@link LoadShedder});
 * - every 2 s this replica publishes its deployments' health (breaker, ejection) to the cluster board;
 * - `GET /admin/state` shows the backend, its status, live replicas, breaker states and every replica's report;
 * - Redis going down or coming back is logged (`warn` / `info`) and counted; requests never fail for it.
 *
 * `state` and `loadShedding` are read at start: changing them needs a restart (a reload keeps them).
 */
export class ScaleOut {
  private readonly deploymentLimits = new Map<string, FirstTokenLimit>();
  private readonly quotas = new Map<string, DeploymentQuota>();
  /** Times Redis went down since start (for `/admin/state`). */
  private outages = 0;
  private reportTimer: TimerHandle | undefined;
  private closed = false;
  /** Tells the shedder which server's (reloadable) body limit applies. */
  private served: (server: GatewayServer) => void = () => {};

  private constructor(
    readonly state: SharedState,
    private readonly config: GatewayConfig,
    readonly shedder: LoadShedder | undefined,
    private readonly clock: Clock,
  ) {}

  /** Connects the shared state (never fails for Redis trouble: it starts on local state) and builds the shedder. */
  static async start(config: GatewayConfig, deps: { logger: Logger; clock: Clock }): Promise<ScaleOut> {
    const redis = config.state.redis;
    const state = await createSharedState(redis ? { redis: { ...redis } } : {}, {
      clock: deps.clock,
      localCache: () => new MemoryCacheStore({ maxEntries: config.cache.maxEntries, maxBytes: config.cache.maxBytes, clock: deps.clock }),
    });
    const shedding = config.loadShedding;
    let server: GatewayServer | undefined;
    const bodyLimitBytes = () => server?.settings.bodyLimitBytes ?? config.server.bodyLimit;
    const scaleOut = new ScaleOut(state, config, shedding.enabled ? new LoadShedder(shedding, deps.clock, bodyLimitBytes) : undefined, deps.clock);
    scaleOut.served = (s) => (server = s);
    state.onStatus((event) => {
      if (event.status === 'down') {
        scaleOut.outages++;
        deps.logger.warn({ alert: 'shared_state_down', backend: event.backend, reason: event.reason }, 'shared state unreachable: deciding on local state until it is back');
      } else {
        deps.logger.info({ backend: event.backend, reason: event.reason }, 'shared state reachable: local state re-published, remote state reloaded');
      }
    });
    if (state.backend === 'redis' && state.status === 'down') {
      scaleOut.outages++;
      deps.logger.warn({ alert: 'shared_state_down', backend: 'redis', reason: state.statusReason }, 'shared state unreachable at start: deciding on local state until it is back');
    }
    return scaleOut;
  }

  /** Dependencies for every router built (at start and on each reload). */
  routerDeps(): ScaleOutRouterDeps {
    return {
      breakerStore: this.state.breakerStore,
      probeGate: this.state.probeGate,
      cacheStore: this.state.cacheStore,
      deploymentPolicies: ({ id, config }) => {
        const policies: RunnablePolicy[] = [];
        if (this.shedder) policies.push(this.deploymentLimit(id));
        if (config.rpm !== undefined || config.tpm !== undefined) policies.push(this.quota(id, config.rpm, config.tpm));
        return policies;
      },
    };
  }

  /** Per-key RPM counted across replicas; undefined when no key has an `rpm`. */
  keyLimiter(config: GatewayConfig): SharedKeyRateLimiter | undefined {
    if (!config.auth.keys.some((k) => k.rpm !== undefined)) return undefined;
    return new SharedKeyRateLimiter(config.auth.keys.map((k) => k.sha256), this.state.limiter);
  }

  /**
   * Wraps the chat endpoints with the gateway-wide limit, adds `GET /admin/state`, and starts
   * publishing this replica's view of its deployments (read from the current router in `slot`).
   */
  install(server: GatewayServer, slot: RouterSlot): void {
    this.served(server);
    this.startReports(slot);
    if (this.shedder) {
      for (const path of CHAT_PATHS) {
        const match = server.routes.match('POST', path);
        if (match.kind === 'found') server.routes.add({ ...match.route, handler: this.shedder.wrap(match.route.handler) }, { replace: true });
      }
    }
    server.routes.add({
      method: 'GET', path: '/admin/state', auth: 'admin',
      handler: async (context, _req, res) => sendJson(res, context, 200, JSON.stringify({ ...this.describe(), cluster: await this.state.healthBoard.read() })),
    });
  }

  /** What `GET /admin/state` answers (without `cluster`, which is read from the shared board). */
  describe(): Record<string, unknown> {
    const store = this.state.breakerStore as { keys?: () => string[] };
    const names = store.keys?.() ?? [];
    return {
      backend: this.state.backend,
      replica: this.state.replicaId,
      status: this.state.status,
      ...(this.state.statusReason ? { reason: this.state.statusReason } : {}),
      outages: this.outages,
      liveReplicas: this.state.liveReplicas(),
      breakers: Object.fromEntries(names.map((n) => [n, this.state.breakerStore.get(n)])),
      loadShedding: this.shedder
        ? {
          limit: this.shedder.limiter.limit,
          inFlight: this.shedder.limiter.inFlight,
          shed: this.shedder.shed,
          deployments: Object.fromEntries([...this.deploymentLimits].map(([id, l]) => [id, { limit: l.limit, inFlight: l.inFlight }])),
        }
        : { enabled: false },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reportTimer !== undefined) this.clock.clearTimeout(this.reportTimer);
    await this.state.close();
  }

  private startReports(slot: RouterSlot): void {
    const report = () => {
      this.reportTimer = undefined;
      if (this.closed) return;
      void this.state.healthBoard
        .publish(this.state.replicaId, { at: this.clock.now(), deployments: deploymentHealth(slot.router as GatewayRouter) })
        .finally(() => {
          if (!this.closed) this.reportTimer = this.clock.setTimeout(report, DEFAULT_HEARTBEAT_INTERVAL_MS);
        });
    };
    report();
  }

  private deploymentLimit(id: string): FirstTokenLimit {
    let limit = this.deploymentLimits.get(id);
    if (!limit) {
      const { initialLimit, minLimit, maxLimit } = this.config.loadShedding.deployment;
      limit = new FirstTokenLimit({ initialLimit, minLimit, maxLimit, isOverload: isOverloadSignal, clock: this.clock });
      this.deploymentLimits.set(id, limit); // kept across reloads: the learned limit survives
    }
    return limit;
  }

  private quota(id: string, rpm: number | undefined, tpm: number | undefined): DeploymentQuota {
    const key = `${id}:${rpm ?? ''}:${tpm ?? ''}`;
    let quota = this.quotas.get(key);
    if (!quota) this.quotas.set(key, (quota = new DeploymentQuota(id, { rpm, tpm }, this.state.limiter)));
    return quota;
  }
}

/** Each deployment once, as the router sees it now. */
function deploymentHealth(router: GatewayRouter): ReplicaDeploymentHealth[] {
  const seen = new Map<string, ReplicaDeploymentHealth>();
  for (const route of router.inspect().routes) {
    for (const group of route.chain) {
      for (const d of group.deployments) {
        if (!seen.has(d.id)) {
          seen.set(d.id, { id: d.id, breaker: d.breaker, ejected: d.ejected, available: d.available, ...(d.lastErrorKind ? { lastErrorKind: d.lastErrorKind } : {}) });
        }
      }
    }
  }
  return [...seen.values()];
}
