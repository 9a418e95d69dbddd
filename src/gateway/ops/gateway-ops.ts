import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Router } from '../../llm/types.js';
import type { RouterControl } from '../../llm/router/router-control.js';
import type { SharedAlerting } from '../../ops/alert-engine.js';
import { createOps, type Ops } from '../../ops/ops.js';
import { opsConfigFrom } from '../../ops/config-sections.js';
import { opsSections } from '../config/ops-sections.js';
import { DashboardFeed } from '../../ops/dashboard/dashboard-feed.js';
import { DashboardAssets } from '../../ops/dashboard/dashboard-assets.js';
import { ClusterView } from '../../ops/dashboard/cluster-view.js';
import { replicaReport } from '../../ops/dashboard/replica-report.js';
import type { ReplicaBoard } from '../../state/replica-board.js';
import type { TimelineEntry } from '../../ops/dashboard/timeline.js';
import type { GatewayConfig } from '../config/schema.js';
import type { GatewayServer } from '../http/server.js';
import type { RouterSlot } from '../router-slot.js';
import type { ChatObserver } from './chat-observer.js';
import { DashboardSessions } from './dashboard-session.js';
import { ProbeIsolation } from './probe-isolation.js';
import { refusalEvent } from '../refusals.js';
import type { RequestTelemetry } from './request-telemetry.js';

type ControlledRouter = Router & RouterControl;

/** What {@link GatewayOps} needs from the gateway. */
export interface GatewayOpsDeps {
  server: GatewayServer;
  slot: RouterSlot;
  config: GatewayConfig;
  clock: Clock;
  logger: Logger;
  /** One alert notification per incident for the whole cluster (the shared state's ledger). */
  sharedAlerting?: SharedAlerting;
  /** Traces and access log, when on: fed the router's request events (tokens, TTFT) by request id. */
  telemetry?: RequestTelemetry;
  /** Tracing is on: latency histograms carry trace-id exemplars (OpenMetrics exposition). */
  tracing?: boolean;
  /** Replicas share Redis: this one publishes its dashboard report there and its dashboard shows every replica's. */
  replicas?: { board: ReplicaBoard; id: string };
}

class ProbeFailedError extends Error {
  constructor(readonly kind: string, message: string | undefined) {
    super(message ?? `probe failed: ${kind}`);
  }
}

/**
 * Ops inside the gateway: one {@link Ops} (metrics, SLA, health, alerts, prober) subscribed to
 * the current router's events (again after each reload), the dashboard feed, probe-driven
 * isolation through the router's controls, and the chat endpoints' in-flight and overhead
 * figures. Timers start here; {@link GatewayOps.close} stops them when the gateway drains.
 */
export class GatewayOps {
  readonly feed: DashboardFeed;
  readonly sessions: DashboardSessions;
  readonly isolation: ProbeIsolation;
  /** Undefined when the dashboard's files could not be read (the page then answers 503). */
  readonly assets: DashboardAssets | undefined;
  /** The per-replica view (replicas sharing Redis only). */
  readonly cluster: ClusterView | undefined;
  private current: Ops;
  private sectionsJson: string;
  private detachRouter: () => void = () => {};
  private detachOps: () => void = () => {};
  /** Requests in flight per route, replayed into a rebuilt ops so its gauge stays right. */
  private readonly inFlight = new Map<string, number>();
  /** Dependencies reported down (name → why), replayed into a rebuilt ops so their alert stays. */
  private readonly dependenciesDown = new Map<string, string>();
  private config: GatewayConfig;

  /** Fed by the chat endpoints. */
  readonly chatObserver: ChatObserver = {
    started: (route) => {
      this.inFlight.set(route, (this.inFlight.get(route) ?? 0) + 1);
      this.current.observe.inFlight(route, 1);
    },
    ended: (route, overheadMs) => {
      const n = (this.inFlight.get(route) ?? 1) - 1;
      if (n <= 0) this.inFlight.delete(route);
      else this.inFlight.set(route, n);
      this.current.observe.inFlight(route, -1);
      if (overheadMs !== undefined) this.current.observe.overhead(overheadMs);
    },
  };

  constructor(private readonly deps: GatewayOpsDeps) {
    this.config = deps.config;
    this.sessions = new DashboardSessions(deps.clock);
    this.isolation = new ProbeIsolation(() => this.router, (change) => {
      const text = change.isolated ? `isolated after failing active probes (${change.errorKind ?? 'error'})` : 'released: active probe passed';
      deps.logger.warn({ deployment: change.deployment, isolated: change.isolated, errorKind: change.errorKind }, 'probe isolation');
      this.note({ at: change.at, kind: 'probe', subject: change.deployment, text, severity: change.isolated ? 'critical' : 'info' });
    });
    this.feed = new DashboardFeed({
      inspect: () => this.router.inspect(),
      sla: () => this.current.sla(),
      activeAlerts: () => this.current.alerts.active(),
      gateway: () => ({ inFlight: this.chatInFlight(), draining: deps.server.isDraining, generation: deps.slot.generation }),
      cluster: (now) => this.cluster?.snapshot(now),
    }, deps.clock, { onError: (error) => deps.logger.warn({ err: error }, 'dashboard snapshot failed') });
    const startedAt = deps.clock.now();
    this.cluster = deps.replicas && new ClusterView(deps.replicas.board, deps.replicas.id, () => replicaReport(this.feed.snapshot(), deps.replicas!.id, startedAt),
      () => this.feed.clientCount > 0, deps.clock, { onError: (error) => deps.logger.warn({ err: error }, 'dashboard replica report failed') });
    this.cluster?.start();
    let assets: DashboardAssets | undefined;
    try {
      assets = DashboardAssets.load();
    } catch (error) {
      deps.logger.warn({ err: error }, 'dashboard files not found: /dashboard is disabled');
    }
    this.assets = assets;
    this.sectionsJson = JSON.stringify(opsSections(deps.config));
    this.current = this.build(deps.config);
    this.attach(this.router);
    // The gateway's own refusals never reach the router: they are counted here, as requests.
    deps.server.onRefusal = (context) => this.current.observe.request(refusalEvent(context, context.refusal!, deps.clock.now()));
  }

  /** A dependency of the gateway (the shared-state Redis) went down or came back: raises or clears `dependency_down`. */
  dependency(name: string, up: boolean, detail = ''): void {
    if (up) this.dependenciesDown.delete(name);
    else this.dependenciesDown.set(name, detail);
    this.current.observe.dependency(name, up, detail);
  }

  /** The ops instance serving now (rebuilt by a reload that changes its config, or a stats reset). */
  get ops(): Ops {
    return this.current;
  }

  /** The router new requests go to. */
  get router(): ControlledRouter {
    return this.deps.slot.router as ControlledRouter;
  }

  /** Clock time (ms) of the gateway's clock. */
  now(): number {
    return this.deps.clock.now();
  }

  /** How many routers the gateway has installed (1 at start, +1 per reload). */
  get generation(): number {
    return this.deps.slot.generation;
  }

  /** The config the gateway runs now. */
  get gatewayConfig(): GatewayConfig {
    return this.config;
  }

  /**
   * A reload installed `router`: ops and the dashboard follow its events from now on, probe
   * holds start over, and ops is rebuilt when the routes, groups, alerts, SLO or health
   * sections changed (its windows start empty then).
   */
  routerInstalled(router: ControlledRouter, config: GatewayConfig): void {
    this.config = config;
    this.isolation.reset();
    const sections = JSON.stringify(opsSections(config));
    if (sections !== this.sectionsJson) {
      this.sectionsJson = sections;
      this.replaceOps();
    }
    this.attach(router);
  }

  /** `POST /admin/stats/reset`: fresh SLA windows, metrics and alert state; the served-by mix restarts. */
  resetStats(): void {
    this.replaceOps();
    this.feed.mix.reset();
    this.feed.history.reset();
    this.feed.tenants.reset();
    this.attach(this.router);
  }

  /** Adds an entry to the dashboard timeline. */
  note(entry: TimelineEntry): void {
    this.feed.note(entry);
  }

  /** Stops alerts, probes and the dashboard streams (at the start of draining). Metrics stay readable. */
  close(): void {
    this.current.close();
    this.feed.close();
    this.cluster?.close();
  }

  private chatInFlight(): number {
    let total = 0;
    for (const n of this.inFlight.values()) total += n;
    return total;
  }

  private attach(router: ControlledRouter): void {
    this.detachRouter();
    const fromOps = this.current.attach(router);
    const fromFeed = this.feed.attach(router);
    const telemetry = this.deps.telemetry;
    const fromTelemetry = telemetry?.wantsOutcomes ? router.onRequest(telemetry.noteOutcome) : undefined;
    this.detachRouter = () => {
      fromOps();
      fromFeed();
      fromTelemetry?.();
    };
  }

  private replaceOps(): void {
    this.detachRouter();
    this.detachRouter = () => {};
    // What the old ops alerted on is forgotten: its alerts are resolved (and delivered) first.
    const retiring = this.current.retire();
    void retiring.catch((error: unknown) => this.deps.logger.warn({ err: error }, 'resolving the alerts of a replaced ops failed'));
    this.current = this.build(this.config);
    for (const [route, n] of this.inFlight) for (let i = 0; i < n; i++) this.current.observe.inFlight(route, 1);
    for (const [name, detail] of this.dependenciesDown) this.current.observe.dependency(name, false, detail);
  }

  private build(config: GatewayConfig): Ops {
    this.detachOps();
    const ops = createOps(opsConfigFrom(opsSections(config)), {
      clock: this.deps.clock,
      logger: this.deps.logger,
      sharedAlerting: this.deps.sharedAlerting,
      metrics: { runtime: true, exemplars: this.deps.tracing === true },
      probe: async (id, signal) => {
        const result = await this.router.probe(id, { signal });
        if (!result.ok) throw new ProbeFailedError(result.errorKind ?? 'error', result.error);
      },
    });
    const disposers = [ops.alerts.onNotification(this.feed.recordAlert)];
    if (ops.onProbe) disposers.push(ops.onProbe(this.isolation.onResult));
    this.detachOps = () => {
      for (const dispose of disposers) dispose();
    };
    return ops;
  }
}
