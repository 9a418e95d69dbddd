import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { sleep, systemClock } from '../core/clock.js';
import type { RouterConfig } from '../llm/router-config.js';
import type { Router } from '../llm/types.js';
import type { RouterControl } from '../llm/router/router-control.js';
import type { RouterDeps } from '../llm/router/router-deps.js';
import { EventEmitter } from '../core/events.js';
import { KeyStore } from './auth.js';
import { registerBuiltinRoutes } from './builtin-routes.js';
import { ResponseOwners } from '../llm/dialects/openai-responses/response-owners.js';
import type { GatewayConfig } from './config/schema.js';
import { isLoopbackHost } from './config/references.js';
import { toRouterConfig } from './config/to-router-config.js';
import { EmbeddedMocks } from './embedded-mocks.js';
import { GatewayServer, type ServingSettings } from './http/server.js';
import { KeyRateLimiter } from './key-rate-limiter.js';
import { TenantQuotas } from './tenant-quotas.js';
import { createLogger } from './logger.js';
import { secretsOfConfig } from './secrets/config-secrets.js';
import { SecretRedactor } from './secrets/secret-redactor.js';
import { RouterSlot } from './router-slot.js';
import { GatewayOps } from './ops/gateway-ops.js';
import { registerOpsRoutes } from './ops/ops-routes.js';
import { ScaleOut } from './scale-out.js';
import { startTracing, type Tracing } from '../ops/tracing/start-tracing.js';
import { startMetricsExport, type MetricsExport } from '../ops/metrics-export/start-metrics-export.js';
import { RequestTelemetry } from './ops/request-telemetry.js';
import { gatewayVersion } from './version.js';

/** A router the gateway can run: the public face plus events and admin controls. */
export type GatewayRouter = Router & RouterControl;

/** Builds a router from its config (the gateway's default is the LLM router's `createRouter`). */
export type RouterFactory = (config: RouterConfig, deps: RouterDeps) => GatewayRouter;

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  config: GatewayConfig;
  createRouter: RouterFactory;
  /** Overrides `server.port` (CLI `--port`, `PORT`). */
  port?: number;
  /** Overrides `server.host` (CLI `--host`). */
  host?: string;
  /** Default: pino at `logging.level`, secrets redacted (give it {@link redactor}: `createLogger(level, undefined, redactor)`). */
  logger?: Logger;
  /**
   * Blanks the config's secrets from every answer byte and (when the logger shares it) every log
   * line; updated on reload. Default: a new one.
   */
  redactor?: SecretRedactor;
  clock?: Clock;
}

/** After the shutdown grace, how long requests still open get to write their error event and end. Default 1_000 ms. */
export const SHUTDOWN_STREAM_END_MS = 1_000;

/** Thrown when the gateway would listen beyond loopback without gateway keys. */
export class UnsafeBindError extends Error {
  constructor(host: string) {
    super(`refusing to listen on '${host}' without gateway keys: configure auth.keys, or bind to 127.0.0.1 / ::1`);
    this.name = 'UnsafeBindError';
  }
}

/**
 * A running gateway: the HTTP server, the current router (swappable), the embedded mocks.
 * `reload()` applies a new config without dropping requests in flight; `shutdown()` drains.
 */
export class Gateway {
  private readonly routerEmitter = new EventEmitter<GatewayRouter>();
  /**
   * Fires with each router installed by a reload (the first one is `gateway.router`): ops
   * subscribes to its events here so metrics keep flowing across reloads.
   */
  readonly onRouter = this.routerEmitter.event;
  /** Set by `shutdown()`: reloads are refused from then on. */
  private stopping = false;
  /** The reload in progress (settled when none). */
  private reloading: Promise<void> = Promise.resolve();

  private constructor(
    readonly server: GatewayServer,
    readonly slot: RouterSlot,
    private readonly mocks: EmbeddedMocks,
    private readonly createRouter: RouterFactory,
    readonly logger: Logger,
    private readonly clock: Clock,
    private currentConfig: GatewayConfig,
    readonly host: string,
    readonly port: number,
    /** Providers served by an embedded mock in the current config. */
    public mockedProviders: string[],
    /** Shared state (memory or Redis) and load shedding: see `scale-out.ts`. */
    readonly scaleOut: ScaleOut,
    /** Health, metrics, SLA, alerts, probes and the dashboard: see `ops/gateway-ops.ts`. */
    readonly ops: GatewayOps,
    /** OpenTelemetry traces, when `tracing` (or OTEL_TRACES_EXPORTER) turned them on. */
    readonly tracing: Tracing | undefined,
    /** OpenTelemetry metrics export, when `metricsExport` (or OTEL_METRICS_EXPORTER) turned it on. */
    readonly metricsExport: MetricsExport | undefined,
  ) {}

  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** The router new requests go to. */
  get router(): GatewayRouter {
    return this.slot.router as GatewayRouter;
  }

  get config(): GatewayConfig {
    return this.currentConfig;
  }

  /** The embedded mock called `name` (when the config has one). */
  mock(name: string) {
    return this.mocks.get(name);
  }

  /** Starts mocks, router and listener. Rejects (and cleans up) if any of them fails. */
  static async start(options: GatewayOptions): Promise<Gateway> {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    const redactor = options.redactor ?? new SecretRedactor();
    redactor.update(secretsOfConfig(config));
    const logger = options.logger ?? createLogger(config.logging.level, undefined, redactor);
    const host = options.host ?? config.server.host;
    const port = options.port ?? config.server.port;
    if (!isLoopbackHost(host) && config.auth.keys.length === 0) throw new UnsafeBindError(host);
    const mocks = new EmbeddedMocks();
    let slot: RouterSlot | undefined;
    let scaleOut: ScaleOut | undefined;
    let ops: GatewayOps | undefined;
    let tracing: Tracing | undefined;
    let metricsExport: MetricsExport | undefined;
    try {
      tracing = await startTracing(config.tracing, gatewayVersion());
      const telemetry = RequestTelemetry.wanted(config.logging.access, tracing?.tracer)
        ? new RequestTelemetry({ logger, clock, access: config.logging.access, tracer: tracing?.tracer })
        : undefined;
      await mocks.sync(config);
      scaleOut = await ScaleOut.start(config, { logger, clock });
      const translated = toRouterConfig(config, mocks.resolve);
      slot = new RouterSlot(options.createRouter(translated.router, { clock, ...scaleOut.routerDeps() }), (error) => logger.warn({ err: error }, 'closing a router failed'));
      const router = slot.router as GatewayRouter;
      const server = new GatewayServer({
        settings: servingSettings(config, clock, scaleOut),
        logger,
        redactor,
        clock,
        headersTimeoutMs: config.server.headersTimeoutMs,
        requestTimeoutMs: config.server.requestTimeoutMs,
        keepAliveTimeoutMs: config.server.keepAliveTimeoutMs,
        observer: telemetry,
      });
      ops = new GatewayOps({ server, slot, config, clock, logger, telemetry, tracing: tracing !== undefined, sharedAlerting: { ledger: scaleOut.state.alertLedger, replica: scaleOut.state.replicaId },
        replicas: scaleOut.state.backend === 'redis' ? { board: scaleOut.state.replicaBoard, id: scaleOut.state.replicaId } : undefined });
      const gatewayOps = ops;
      // Shared state unreachable → the `dependency_down` alert while replicas decide locally.
      scaleOut.state.onStatus((event) => gatewayOps.dependency(event.backend, event.status === 'up', event.reason));
      if (scaleOut.state.backend === 'redis' && scaleOut.state.status === 'down') ops.dependency('redis', false, scaleOut.state.statusReason);
      const responseOwners = new ResponseOwners(scaleOut.state.cacheStore);
      registerBuiltinRoutes({ server, slot, clock, startedAtSeconds: Math.floor(clock.now() / 1000), observer: ops.chatObserver, responseOwners });
      registerOpsRoutes(server, ops);
      countTenantTokens(router, server);
      scaleOut.install(server, slot);
      metricsExport = await startMetricsExport({ ...config.metricsExport, intervalMs: config.metricsExport.interval }, gatewayVersion(), () => gatewayOps.ops.metricRegistries());
      const address = await server.listen(port, host);
      return new Gateway(server, slot, mocks, options.createRouter, logger, clock, config, host, address.port, translated.mockedProviders, scaleOut, ops, tracing, metricsExport);
    } catch (error) {
      ops?.close();
      await metricsExport?.shutdown().catch(() => {});
      await tracing?.shutdown();
      await slot?.close();
      await scaleOut?.close();
      await mocks.close();
      throw error;
    }
  }

  /**
   * Applies a new, already validated config: a new router is built and swapped in; requests in
   * flight finish on the old one, which closes after them. Listener settings (host, port,
   * timeouts), `state` and `loadShedding` need a restart: they keep their running values, with a
   * warning naming them. Throws (keeping the old config) when the new router cannot be built, and
   * once `shutdown()` has begun (nothing would close what it starts).
   */
  async reload(config: GatewayConfig): Promise<void> {
    if (this.stopping) throw new Error('the gateway is shutting down: reload refused');
    const reloading = this.applyReload(config);
    this.reloading = reloading.catch(() => {});
    return reloading;
  }

  private async applyReload(config: GatewayConfig): Promise<void> {
    if (config.auth.keys.length === 0 && !isLoopbackHost(this.host)) throw new UnsafeBindError(this.host);
    await this.mocks.sync(config);
    const translated = toRouterConfig(config, this.mocks.resolve);
    const router = this.createRouter(translated.router, { clock: this.clock, ...this.scaleOut.routerDeps() });
    countTenantTokens(router, this.server);
    this.slot.swap(router);
    this.ops.routerInstalled(router, config);
    this.routerEmitter.emit(router);
    this.server.settings = servingSettings(config, this.clock, this.scaleOut, this.server.settings);
    // The old config's secrets stay too: answers and log lines of requests still on the old router.
    this.server.redactor.update([...secretsOfConfig(this.currentConfig), ...secretsOfConfig(config)]);
    const fixed = settingsNeedingRestart(this.currentConfig, config);
    if (fixed.length > 0) this.logger.warn({ settings: fixed }, 'these settings changed but need a restart; their running values stay in effect');
    this.currentConfig = config;
    this.mockedProviders = translated.mockedProviders;
    this.logger.level = config.logging.level;
  }

  /**
   * Graceful stop: readiness turns false; after `server.drainDelayMs` the listener closes;
   * requests and streams in flight get up to `graceMs` (default `server.shutdownGraceMs`) in all to finish; then every connection, router and
   * mock is closed. Resolves true when nothing had to be cut.
   */
  async shutdown(graceMs = this.currentConfig.server.shutdownGraceMs): Promise<boolean> {
    this.stopping = true;
    this.server.beginDrain();
    this.ops.close(); // alerts, probes and dashboard streams stop; metrics stay readable
    const delayMs = Math.min(this.currentConfig.server.drainDelayMs, graceMs);
    if (delayMs > 0) await sleep(this.clock, delayMs);
    this.server.stopListening();
    const clean = await this.server.waitIdle(graceMs - delayMs);
    // Streams still open get their dialect's error event ("shutting down") before the sockets go.
    if (!clean) await this.server.endInFlight(SHUTDOWN_STREAM_END_MS);
    // Nothing is in flight any more (or the deadline passed): the keep-alive connections left are
    // idle or overdue, so close them all rather than wait for their keep-alive timeout.
    this.server.destroyConnections();
    await this.reloading; // a reload begun before the shutdown installs its router and mocks first, so they are closed below
    await this.slot.close();
    await this.scaleOut.close();
    await this.mocks.close();
    await this.tracing?.shutdown().catch((error: unknown) => this.logger.warn({ err: error }, 'flushing traces failed'));
    await this.metricsExport?.shutdown().catch((error: unknown) => this.logger.warn({ err: error }, 'exporting the last metrics failed'));
    return clean;
  }
}

/** Settings fixed for the process's life: the listener, and the shared state and load shedding built at start. */
const RESTART_ONLY = ['host', 'port', 'headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs'] as const;

/** The restart-only settings that differ between two configs, e.g. `['server.port', 'state']`. */
export function settingsNeedingRestart(running: GatewayConfig, next: GatewayConfig): string[] {
  const changed: string[] = RESTART_ONLY.filter((k) => running.server[k] !== next.server[k]).map((k) => `server.${k}`);
  if (JSON.stringify(running.state) !== JSON.stringify(next.state)) changed.push('state');
  if (JSON.stringify(running.loadShedding) !== JSON.stringify(next.loadShedding)) changed.push('loadShedding');
  return changed;
}

function servingSettings(config: GatewayConfig, clock: Clock, scaleOut: ScaleOut, previous?: ServingSettings): ServingSettings {
  const keys = new KeyStore(config.auth.keys, config.auth.adminKeySha256);
  const limited = config.auth.keys.some((k) => k.rpm !== undefined);
  // With Redis, key RPM is counted across every replica; alone, a per-process token bucket
  // (its buckets carried over from the previous config, so a reload refills nothing).
  const carried = previous?.limiter instanceof KeyRateLimiter ? previous.limiter : undefined;
  const limiter = !limited ? undefined : scaleOut.state.backend === 'redis' ? scaleOut.keyLimiter(config) : new KeyRateLimiter(config.auth.keys.map((k) => k.sha256), clock, carried);
  const quotas = new TenantQuotas(config.tenants, scaleOut.state, clock);
  return { keys, limiter, bodyLimitBytes: config.server.bodyLimit, quotas: quotas.active ? quotas : undefined };
}

/** Tenants' token budgets count what each answer used, from the router's request events (the quotas of the config in force). */
function countTenantTokens(router: GatewayRouter, server: GatewayServer): void {
  router.onRequest((event) => (server.settings.quotas as TenantQuotas | undefined)?.record(event));
}

/** Starts a gateway; see {@link Gateway.start}. */
export function startGateway(options: GatewayOptions): Promise<Gateway> {
  return Gateway.start(options);
}
