import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Event } from '../core/events.js';
import type { AttemptEvent, BreakerEvent, EjectionEvent, RequestEvent } from '../llm/router-events.js';
import { AlertEngine, type SharedAlerting } from './alert-engine.js';
import { BreakerOpenedRule, DependencyDownRule, ErrorRateRule, LatencyP95Rule, PrimaryUnavailableRule, SloBurnRateRule } from './alert-rules.js';
import { createSinks } from './alert-sinks.js';
import type { ActiveAlert, AlertNotification, AlertRule, AlertSink } from './alert-types.js';
import { BurnRateTracker } from './burn-rate.js';
import type { OpsConfig, ResolvedOpsConfig } from './config.js';
import { objectiveFor, primaryGroups, resolveOpsConfig } from './config.js';
import { DeliveryQueue } from './delivery-queue.js';
import { DeploymentStates } from './deployment-states.js';
import type { DeploymentState } from './deployment-states.js';
import { buildHealth, healthHttpStatus } from './health.js';
import type { HealthReport, HealthSnapshot } from './health.js';
import type { OpsLogger } from './logger.js';
import { defaultOpsLogger } from './logger.js';
import { collapse, OpsMetrics, RouteLabels, type OpsMetricsOptions } from './metrics.js';
import type { Registry, RegistryContentType } from 'prom-client';
import { Prober } from './prober.js';
import type { ProbeFunction, ProbeResult } from './prober.js';
import { attemptStatus, requestStatus } from './outcome.js';
import { SlaTracker } from './sla.js';
import type { SlaReport } from './sla.js';
import { UptimeTracker } from './uptime.js';

const KIND_REQUEST = 0;
const KIND_ATTEMPT = 1;
const KIND_BREAKER = 2;
const KIND_EJECTION = 3;
/** Events waiting to be aggregated before a synchronous drain (bounds memory under a burst). */
const MAX_PENDING_EVENTS = 4096;

export interface OpsDeps {
  /** Default {@link systemClock}. */
  clock?: Clock;
  /** Default a pino logger named `bulwark-ops`. */
  logger?: OpsLogger;
  /** Active health check per deployment; without it no prober runs. */
  probe?: ProbeFunction;
  /** Extra sinks (e.g. the dashboard's), appended to the configured ones. */
  sinks?: AlertSink[];
  /** Reported in the health body. */
  version?: string;
  /** Cluster-wide alert dedupe (the gateway's shared state): one notification per incident, not one per replica. */
  sharedAlerting?: SharedAlerting;
  /** Node runtime metrics and trace-id exemplars on /metrics (see {@link OpsMetricsOptions}); default both off. */
  metrics?: OpsMetricsOptions;
}

/**
 * The recording side: each call is a push onto a bounded queue (O(1), no I/O, no allocation);
 * aggregation runs on the next macrotask. Events are kept by reference until then: emit a fresh
 * object per event (the router does) and do not mutate it afterwards.
 */
export interface OpsObserver {
  request(e: RequestEvent): void;
  attempt(e: AttemptEvent): void;
  breaker(e: BreakerEvent): void;
  ejection(e: EjectionEvent): void;
  /** A probe result from outside (the built-in prober already records its own). */
  probe(result: ProbeResult): void;
  /** +1 when a request starts, -1 when it ends (`bulwark_requests_in_flight`). */
  inFlight(route: string, delta: 1 | -1): void;
  /** The gateway's own time for one request, in ms (`bulwark_gateway_overhead_seconds`). */
  overhead(ms: number): void;
  /** A dependency's status changed (e.g. `redis` for shared state); down raises `dependency_down`. */
  dependency(name: string, up: boolean, detail?: string): void;
}

/** What alerting exposes to the gateway's admin API and the dashboard. */
export interface OpsAlerts {
  active(): ActiveAlert[];
  timeline(): AlertNotification[];
  onNotification: Event<AlertNotification>;
  /** Evaluate now (the tick does it every `alerts.evaluateEvery`). */
  evaluate(): AlertNotification[];
  /** Resolves when every sink queue has drained. */
  flush(): Promise<void>;
  /** Notifications dropped per sink because its queue was full. */
  dropped(): Record<string, number>;
}

/** The router's event surface (structural: any object with these four events). */
export interface RouterEventSource {
  onRequest: Event<RequestEvent>;
  onAttempt: Event<AttemptEvent>;
  onBreaker: Event<BreakerEvent>;
  onEjection: Event<EjectionEvent>;
}

export interface Ops {
  readonly config: ResolvedOpsConfig;
  readonly observe: OpsObserver;
  /** Subscribes `observe` to a router's four events; returns the function that unsubscribes. */
  attach(router: RouterEventSource): () => void;
  /** Prometheus text for `GET /metrics`. */
  metricsText(): Promise<string>;
  /** Content type for `GET /metrics`. */
  readonly metricsContentType: string;
  /** The prom-client registries `GET /metrics` reads, brought up to date (the OpenTelemetry metrics export reads them). */
  metricRegistries(): Array<Registry<RegistryContentType>>;
  /** Body for `GET /health` (serve with {@link HEALTH_CONTENT_TYPE} and `healthStatusCode`). */
  health(snapshot: HealthSnapshot): HealthReport;
  /**
   * A snapshot built from what ops itself has seen (configured topology + breaker, ejection and
   * probe events), for gateways that do not build one from the router: `ops.health(ops.healthSnapshot())`.
   */
  healthSnapshot(): HealthSnapshot;
  /** 200 for pass/warn, 503 for fail. */
  healthStatusCode(report: HealthReport): 200 | 503;
  /** JSON for `GET /admin/sla`. */
  sla(): SlaReport;
  /** Deployment states as ops sees them (breaker, ejected, last probe, last error kind). */
  deployments(): DeploymentState[];
  readonly alerts: OpsAlerts;
  /** Probe results (for the router to eject/re-admit); undefined when no probe function was given or probes are disabled. */
  readonly onProbe: Event<ProbeResult> | undefined;
  /** Stops the alert tick and the prober; waits briefly for nothing — queued deliveries are discarded. */
  close(): void;
  /**
   * Stops like `close()`, but first resolves every active alert (a stats reset or a rebuilt ops
   * forgets what they were based on) and delivers those `resolved` notifications before the
   * sink queues close. Resolves when delivered (or given up).
   */
  retire(): Promise<void>;
}

/**
 * Builds Bulwark's operations side: metrics, SLA windows, SLO burn rates, health, alerts and
 * active probes, all fed by router events through `observe`. Recording costs a few counter and
 * ring updates; everything else (alert evaluation, webhook delivery, probes) runs on timers of
 * the injected clock. Timers start here; call `close()` on shutdown.
 *
 * @example
 * const ops = createOps({ topology: { groups, routes } }, { clock: systemClock, logger, probe });
 * const detach = ops.attach(router); // onRequest, onAttempt, onBreaker, onEjection
 * res.end(await ops.metricsText());
 */
export function createOps(config: OpsConfig = {}, deps: OpsDeps = {}): Ops {
  const resolved = resolveOpsConfig(config);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? defaultOpsLogger();
  const metrics = new OpsMetrics(deps.metrics);
  const uptime = new UptimeTracker();
  const sla = new SlaTracker(uptime);
  const burn = new BurnRateTracker();
  const primaries = primaryGroups(resolved);
  const routeNames = new Set(Object.keys(resolved.routes));
  if (resolved.slo.enabled) metrics.knownRoutes(routeNames);

  const deploymentStates = new DeploymentStates(resolved.groups, uptime, (state, groupUsable) => {
    metrics.deployment(state, groupUsable, primaries.has(state.group) ? 'primary' : 'fallback');
  }, clock.now());

  const breakerRule = new BreakerOpenedRule(deploymentStates);
  const rules: AlertRule[] = [];
  const r = resolved.alerts.rules;
  if (r.breakerOpened) rules.push(breakerRule);
  if (r.errorRate) rules.push(new ErrorRateRule(sla, resolved));
  if (r.latencyP95) rules.push(new LatencyP95Rule(sla, resolved));
  if (r.primaryUnavailable) rules.push(new PrimaryUnavailableRule(deploymentStates, resolved));
  if (r.sloBurnRate && resolved.slo.enabled) rules.push(new SloBurnRateRule(burn, resolved));
  const dependencyRule = new DependencyDownRule();
  if (r.dependencyDown) rules.push(dependencyRule);

  const report = (sink: string, status: 'sent' | 'failed' | 'dropped' | 'retried') => metrics.notifications.labels(sink, status).inc();
  const sinks = [...createSinks(resolved.alerts.sinks, logger, resolved.alerts.delivery.timeoutMs, clock), ...(deps.sinks ?? [])];
  const queues = sinks.map((sink) => new DeliveryQueue(sink, clock, resolved.alerts.delivery, report, logger));
  const engine = new AlertEngine(rules, queues, clock, resolved.alerts, (active) => {
    metrics.alertsActive.reset();
    for (const a of active) metrics.alertsActive.labels(a.rule, a.severity).inc();
  }, deps.sharedAlerting);
  if (resolved.alerts.enabled) engine.start();

  const recordProbe = (result: ProbeResult) => {
    metrics.probe(result.deployment, result.ok);
    deploymentStates.setProbe(result.deployment, result.ok, result.errorKind, result.at);
  };
  let prober: Prober | undefined;
  if (deps.probe && resolved.probes.enabled) {
    prober = new Prober(clock, {
      intervalMs: resolved.probes.intervalMs,
      timeoutMs: resolved.probes.timeoutMs,
      deployments: () => [...deploymentStates.all()].map((s) => s.id),
      probe: deps.probe,
    });
    prober.onResult(recordProbe);
    prober.start();
  }

  const routeLabels = new RouteLabels(routeNames);
  const routeLabel = (route: string) => routeLabels.label(route);
  const record = {
    request(e: RequestEvent) {
      const route = routeLabel(e.route);
      const objective = resolved.slo.enabled ? objectiveFor(resolved, route) : undefined;
      metrics.request(e, route, collapse(e.tenant, resolved.tenants), objective?.latencyThresholdMs);
      const status = requestStatus(e);
      sla.record('routes', route, e.at, status !== 'error', e.durationMs);
      if (objective && status !== 'client_error') burn.record(route, e.at, status === 'error', e.durationMs > objective.latencyThresholdMs);
    },
    attempt(e: AttemptEvent) {
      metrics.attempt(e);
      const ok = attemptStatus(e) !== 'error';
      sla.record('deployments', e.deployment, e.at, ok, e.durationMs);
      sla.record('groups', e.group, e.at, ok, e.durationMs);
      if (!e.ok && e.errorKind) deploymentStates.noteError(e.group, e.deployment, e.errorKind, e.at);
      else deploymentStates.ensure(e.group, e.deployment, e.at);
    },
    breaker(e: BreakerEvent) {
      deploymentStates.setBreaker(e.group, e.deployment, e.to, e.at);
      if (e.to === 'open') breakerRule.noteOpened(e.group, e.deployment);
    },
    ejection(e: EjectionEvent) {
      deploymentStates.setEjected(e.group, e.deployment, e.ejected, e.at);
    },
  };

  // Events are queued (two parallel arrays, no allocation per event) and aggregated on the next
  // macrotask, so the request that emitted them pays a push. Every read drains first, so reads
  // are always current; a full queue drains synchronously instead of dropping.
  const kinds: number[] = [];
  const events: unknown[] = [];
  let drainHandle: ReturnType<typeof setImmediate> | undefined;
  const drain = () => {
    if (drainHandle !== undefined) clearImmediate(drainHandle);
    drainHandle = undefined;
    for (let i = 0; i < kinds.length; i++) {
      try {
        switch (kinds[i]) {
          case KIND_REQUEST: record.request(events[i] as RequestEvent); break;
          case KIND_ATTEMPT: record.attempt(events[i] as AttemptEvent); break;
          case KIND_BREAKER: record.breaker(events[i] as BreakerEvent); break;
          default: record.ejection(events[i] as EjectionEvent);
        }
      } catch (error) {
        logger.error({ error: error instanceof Error ? error.message : String(error) }, 'ops: failed to record an event');
      }
    }
    kinds.length = 0;
    events.length = 0;
  };
  const enqueue = (kind: number, event: unknown) => {
    kinds.push(kind);
    events.push(event);
    if (kinds.length >= MAX_PENDING_EVENTS) drain();
    else if (drainHandle === undefined) drainHandle = setImmediate(drain);
  };
  const observe: OpsObserver = {
    request: (e) => enqueue(KIND_REQUEST, e),
    attempt: (e) => enqueue(KIND_ATTEMPT, e),
    breaker: (e) => enqueue(KIND_BREAKER, e),
    ejection: (e) => enqueue(KIND_EJECTION, e),
    probe: recordProbe,
    inFlight(route, delta) {
      metrics.inFlightDelta(routeLabel(route), delta);
    },
    overhead(ms) {
      metrics.overhead(ms);
    },
    dependency(name, up, detail) {
      dependencyRule.set(name, up, detail);
      metrics.dependency(name, up);
    },
  };
  engine.beforeEvaluate = drain;

  return {
    config: resolved,
    observe,
    attach(router) {
      const disposers = [router.onRequest(observe.request), router.onAttempt(observe.attempt), router.onBreaker(observe.breaker), router.onEjection(observe.ejection)];
      return () => {
        for (const dispose of disposers) dispose();
      };
    },
    metricsText: () => {
      drain();
      return metrics.text();
    },
    metricsContentType: metrics.contentType,
    metricRegistries: () => {
      drain();
      return metrics.registries();
    },
    health: (snapshot) => {
      drain();
      return buildHealth(snapshot, sla, resolved, clock.now(), deps.version, (id) => {
        const s = deploymentStates.get(id);
        return s?.probeOk === undefined ? undefined : { ok: s.probeOk, errorKind: s.probeErrorKind, at: s.probeAt! };
      });
    },
    healthSnapshot: () => {
      drain();
      return {
        routes: Object.entries(resolved.routes).map(([name, route]) => ({
          name,
          required: route.required,
          groups: route.chain.map((group) => ({
            name: group,
            deployments: [...deploymentStates.members(group)].map((id) => {
              const state = deploymentStates.get(id)!;
              return { id, breaker: state.breaker, ejected: state.ejected, ...(state.lastErrorKind ? { lastErrorKind: state.lastErrorKind } : {}) };
            }),
          })),
        })),
      };
    },
    healthStatusCode: healthHttpStatus,
    sla: () => (drain(), sla.report(clock.now())),
    deployments: () => (drain(), [...deploymentStates.all()].map((s) => ({ ...s }))),
    alerts: {
      active: () => engine.active(),
      timeline: () => engine.timeline(),
      onNotification: engine.onNotification,
      evaluate: () => engine.evaluate(),
      flush: () => engine.flush(),
      dropped: () => Object.fromEntries(queues.map((q) => [q.sink.name, q.dropped])),
    },
    onProbe: prober?.onResult,
    close() {
      drain();
      engine.stop();
      prober?.stop();
      for (const q of queues) q.close();
    },
    async retire() {
      drain();
      engine.stop();
      prober?.stop();
      engine.resolveAll();
      try {
        await engine.flush();
      } finally {
        for (const q of queues) q.close();
      }
    },
  };
}
