import { Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import type { AttemptEvent, BreakerStateName, RequestEvent } from '../llm/router-events.js';
import { GEN_AI_DURATION_BUCKETS_S, GEN_AI_TOKEN_BUCKETS, MAX_UNCONFIGURED_ROUTES, OTHER_LABEL, OVERHEAD_BUCKETS_S } from './defaults.js';
import type { DeploymentState } from './deployment-states.js';
import { isUsable } from './deployment-states.js';
import { attemptStatus, rejectionReason, requestStatus } from './outcome.js';
import { CounterSlots, HistogramSlots, type CounterEntry, type HistogramSeries } from './metric-slots.js';
import { runtimeRegistry } from './runtime-metrics.js';

/** Options of {@link OpsMetrics}. */
export interface OpsMetricsOptions {
  /** Append the Node runtime metrics (event loop, heap, GC…) to the exposition. Default false (the gateway turns it on). */
  runtime?: boolean;
  /**
   * Attach the request's trace id as an exemplar to `gen_ai_client_operation_duration_seconds`
   * (needs the OpenMetrics exposition, which this switches to). Default false; the gateway turns it on with tracing.
   */
  exemplars?: boolean;
}

/** Gauge values of `bulwark_breaker_state`. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerStateName, number>> = Object.freeze({
  closed: 0, open: 1, 'half-open': 2, isolated: 3, 'forced-closed': 4, disabled: 5,
});

/** The series one request's label values update (resolved on first use). */
interface RequestSeries {
  requests: CounterEntry;
  durationKey: string;
  durationLabels: () => Record<string, string>;
  duration: HistogramSeries;
  cache: CounterEntry | undefined;
  ttfc?: HistogramSeries;
  tokensIn?: HistogramSeries;
  tokensOut?: HistogramSeries;
  tokenCountIn?: CounterEntry;
  tokenCountOut?: CounterEntry;
}

/** The series one attempt's label values update. */
interface AttemptSeries {
  attempts: CounterEntry;
  duration: HistogramSeries;
}

/** Deepest fallback depth given its own label value; deeper ones share `${MAX}+`. */
const MAX_DEPTH_LABEL = 5;
const OPERATION = 'chat';

/**
 * Every Prometheus series Bulwark exports, in its own prom-client {@link Registry} (never the
 * global one). Labels are low-cardinality by construction: routes, groups and deployments come
 * from configuration, tenants outside `metrics.tenants` are `other`, error types are the closed
 * catalog of kinds, fallback depth is capped. No request ids, no messages, no keys.
 */
export class OpsMetrics {
  readonly registry: Registry<RegistryContentType>;
  private readonly runtime: Registry<RegistryContentType> | undefined;
  private readonly exemplars: boolean;
  private readonly tokenCounter: Counter<string>;
  private readonly requests: Counter<string>;
  private readonly attempts: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly ttfc: Histogram<string>;
  private readonly tokens: Histogram<string>;
  private readonly attemptDuration: Histogram<string>;
  private readonly breakerState: Gauge<string>;
  private readonly ejected: Gauge<string>;
  private readonly up: Gauge<string>;
  private readonly usable: Gauge<string>;
  private readonly inFlight: Gauge<string>;
  private readonly inFlightCounts = new Map<string, number>();
  private readonly dependencyUp: Gauge<string>;
  private readonly retries: Counter<string>;
  private readonly fallbacks: Counter<string>;
  private readonly cache: Counter<string>;
  private readonly rejections: Counter<string>;
  private readonly slow: Counter<string>;
  private readonly overheadHistogram: Histogram<string>;
  private readonly probes: Counter<string>;
  // Pre-resolved series (see metric-slots.ts): the request path adds to prom-client's records
  // without building, validating or hashing labels; the exposition is prom-client's.
  private readonly requestSlots = new Map<string, RequestSeries>();
  private readonly attemptSlots = new Map<string, AttemptSeries>();
  private readonly requestCounterSlots: CounterSlots;
  private readonly durationSlots: HistogramSlots;
  private readonly ttfcSlots: HistogramSlots;
  private readonly tokenSlots: HistogramSlots;
  private readonly tokenCounterSlots: CounterSlots;
  private readonly cacheSlots: CounterSlots;
  private readonly slowSlots: CounterSlots;
  private readonly attemptCounterSlots: CounterSlots;
  private readonly attemptDurationSlots: HistogramSlots;
  private readonly overheadSeries: HistogramSeries;
  /** Alert delivery outcomes per sink: `sent`, `failed` (gave up), `dropped` (queue full), `retried`. */
  readonly notifications: Counter<string>;
  /** Active alerts per rule and severity (set by the alert engine). */
  readonly alertsActive: Gauge<string>;

  constructor(options: OpsMetricsOptions = {}) {
    this.exemplars = options.exemplars ?? false;
    const contentType = this.exemplars ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
    this.registry = new Registry<RegistryContentType>();
    this.registry.setContentType(contentType);
    this.runtime = options.runtime ? runtimeRegistry(contentType) : undefined;
    const registers = [this.registry];
    this.requests = new Counter({ name: 'bulwark_requests_total', help: 'Requests through the router, as callers saw them.', labelNames: ['route', 'group', 'served_by', 'status', 'error_type', 'tenant', 'stream'], registers });
    this.attempts = new Counter({ name: 'bulwark_attempts_total', help: 'Upstream attempts per deployment.', labelNames: ['group', 'deployment', 'status', 'error_type'], registers });
    this.duration = new Histogram({ name: 'gen_ai_client_operation_duration_seconds', help: 'GenAI operation duration (whole request through the gateway), OpenTelemetry GenAI semantic conventions.', labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'served_by', 'error_type'], buckets: [...GEN_AI_DURATION_BUCKETS_S], registers, enableExemplars: this.exemplars });
    this.ttfc = new Histogram({ name: 'gen_ai_client_operation_time_to_first_chunk_seconds', help: 'Streams: time from the request to the first chunk reaching the caller.', labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'served_by'], buckets: [...GEN_AI_DURATION_BUCKETS_S], registers });
    this.tokenCounter = new Counter({ name: 'bulwark_tokens_total', help: 'Tokens per route, serving deployment (or cache/default), tenant and gen_ai_token_type (input/output): rate() is tokens/s.', labelNames: ['route', 'served_by', 'tenant', 'gen_ai_token_type'], registers });
    this.tokens = new Histogram({ name: 'gen_ai_client_token_usage', help: 'Tokens used per request, by gen_ai_token_type (input/output).', labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_token_type'], buckets: [...GEN_AI_TOKEN_BUCKETS], registers });
    this.attemptDuration = new Histogram({ name: 'bulwark_attempt_duration_seconds', help: 'One upstream attempt on one deployment.', labelNames: ['group', 'deployment', 'status'], buckets: [...GEN_AI_DURATION_BUCKETS_S], registers });
    this.breakerState = new Gauge({ name: 'bulwark_breaker_state', help: 'Circuit breaker per deployment: 0 closed, 1 open, 2 half-open, 3 isolated, 4 forced-closed, 5 disabled.', labelNames: ['group', 'deployment'], registers });
    this.ejected = new Gauge({ name: 'bulwark_deployment_ejected', help: '1 while the deployment is ejected from its group.', labelNames: ['group', 'deployment'], registers });
    this.up = new Gauge({ name: 'bulwark_deployment_up', help: '1 when the deployment is usable (breaker not open, not ejected, last probe not failing).', labelNames: ['group', 'deployment'], registers });
    this.usable = new Gauge({ name: 'bulwark_group_usable_deployments', help: 'Deployments the router may use per model group; role is primary when the group heads a route chain.', labelNames: ['group', 'role'], registers });
    // Counted in a Map on the request path; the gauge takes the counts when it is read.
    const inFlightCounts = this.inFlightCounts;
    this.inFlight = new Gauge({
      name: 'bulwark_requests_in_flight', help: 'Requests being served now.', labelNames: ['route'], registers,
      collect() {
        for (const [route, n] of inFlightCounts) this.set({ route }, n);
      },
    });
    this.dependencyUp = new Gauge({ name: 'bulwark_dependency_up', help: '1 while a dependency of the gateway (e.g. the shared-state Redis) is reachable, 0 while replicas decide on local state.', labelNames: ['dependency'], registers });
    this.retries = new Counter({ name: 'bulwark_retries_total', help: 'Attempts beyond the first, per route (retries and fallback steps).', labelNames: ['route'], registers });
    this.fallbacks = new Counter({ name: 'bulwark_fallbacks_total', help: 'Requests answered after falling back, by depth in the chain.', labelNames: ['route', 'depth'], registers });
    this.cache = new Counter({ name: 'bulwark_cache_lookups_total', help: 'Response cache hits and misses.', labelNames: ['route', 'result'], registers });
    this.rejections = new Counter({ name: 'bulwark_rejections_total', help: 'Requests refused before any upstream attempt, by reason: shed, bulkhead_full, rate_limited, tenant_quota, body_too_large, unsupported.', labelNames: ['route', 'reason'], registers });
    this.slow = new Counter({ name: 'bulwark_requests_slow_total', help: "Requests slower than their route's SLO latency threshold (feeds the latency burn rate).", labelNames: ['route'], registers });
    this.overheadHistogram = new Histogram({ name: 'bulwark_gateway_overhead_seconds', help: "The gateway's own time per request (excluding upstream).", buckets: [...OVERHEAD_BUCKETS_S], registers });
    this.probes = new Counter({ name: 'bulwark_probes_total', help: 'Active health probes per deployment.', labelNames: ['deployment', 'status'], registers });
    this.notifications = new Counter({ name: 'bulwark_alert_notifications_total', help: 'Alert notifications by sink and outcome.', labelNames: ['sink', 'status'], registers });
    this.alertsActive = new Gauge({ name: 'bulwark_alerts_active', help: 'Alerts active now, by rule and severity.', labelNames: ['rule', 'severity'], registers });
    this.requestCounterSlots = new CounterSlots(this.requests);
    this.durationSlots = new HistogramSlots(this.duration, GEN_AI_DURATION_BUCKETS_S);
    this.ttfcSlots = new HistogramSlots(this.ttfc, GEN_AI_DURATION_BUCKETS_S);
    this.tokenSlots = new HistogramSlots(this.tokens, GEN_AI_TOKEN_BUCKETS);
    this.tokenCounterSlots = new CounterSlots(this.tokenCounter);
    this.cacheSlots = new CounterSlots(this.cache);
    this.slowSlots = new CounterSlots(this.slow);
    this.attemptCounterSlots = new CounterSlots(this.attempts);
    this.attemptDurationSlots = new HistogramSlots(this.attemptDuration, GEN_AI_DURATION_BUCKETS_S);
    this.overheadSeries = new HistogramSlots(this.overheadHistogram, OVERHEAD_BUCKETS_S).get('', () => ({}));
  }

  /** Records a request; `route` and `tenant` are already collapsed to configured values. */
  request(e: RequestEvent, route: string, tenant: string, slowThresholdMs: number | undefined): void {
    const status = requestStatus(e);
    const reason = rejectionReason(e);
    const s = this.requestSeries(e, route, tenant, status, reason === undefined);
    s.requests.value += 1;
    if (this.exemplars && e.traceId !== undefined) {
      this.durationSlots.get(s.durationKey, s.durationLabels); // prom-client's observe then adds to the same series
      this.duration.observe({ labels: s.durationLabels(), value: e.durationMs / 1000, exemplarLabels: { trace_id: e.traceId } });
    } else s.duration.observe(e.durationMs / 1000);
    if (e.stream && e.ttftMs !== undefined) (s.ttfc ??= this.ttfcSlots.get(`${route}\u0001${e.servedBy}`, () => ({ gen_ai_operation_name: OPERATION, gen_ai_request_model: route, served_by: e.servedBy }))).observe(e.ttftMs / 1000);
    if (e.inputTokens > 0) {
      (s.tokensIn ??= this.tokenSlots.get(`${route}\u0001input`, () => ({ gen_ai_operation_name: OPERATION, gen_ai_request_model: route, gen_ai_token_type: 'input' }))).observe(e.inputTokens);
      (s.tokenCountIn ??= this.tokenCounterSlots.get(`${route}\u0001${e.servedBy}\u0001${tenant}\u0001input`, () => ({ route, served_by: e.servedBy, tenant, gen_ai_token_type: 'input' }))).value += e.inputTokens;
    }
    if (e.outputTokens > 0) {
      (s.tokensOut ??= this.tokenSlots.get(`${route}\u0001output`, () => ({ gen_ai_operation_name: OPERATION, gen_ai_request_model: route, gen_ai_token_type: 'output' }))).observe(e.outputTokens);
      (s.tokenCountOut ??= this.tokenCounterSlots.get(`${route}\u0001${e.servedBy}\u0001${tenant}\u0001output`, () => ({ route, served_by: e.servedBy, tenant, gen_ai_token_type: 'output' }))).value += e.outputTokens;
    }
    if (e.attempts > 1) this.retries.labels(route).inc(e.attempts - 1);
    if (e.ok && e.fallbackDepth > 0) {
      this.fallbacks.labels(route, e.fallbackDepth >= MAX_DEPTH_LABEL ? `${MAX_DEPTH_LABEL}+` : String(e.fallbackDepth)).inc();
    }
    if (reason) this.rejections.labels(route, reason).inc();
    else s.cache!.value += 1;
    if (slowThresholdMs !== undefined && status !== 'client_error' && e.durationMs > slowThresholdMs) this.slowSlots.get(route, () => ({ route })).value += 1;
  }

  /** The pre-resolved series of a request's label values (one lookup per request). */
  private requestSeries(e: RequestEvent, route: string, tenant: string, status: string, looked: boolean): RequestSeries {
    const errorType = e.errorKind ?? '';
    const group = e.group ?? '';
    const stream = e.stream ? 'true' : 'false';
    const cache = looked ? (e.cacheHit ? 'hit' : 'miss') : '';
    const key = `${route}\u0001${group}\u0001${e.servedBy}\u0001${status}\u0001${errorType}\u0001${tenant}\u0001${stream}\u0001${cache}`;
    let s = this.requestSlots.get(key);
    if (s !== undefined) return s;
    const servedBy = e.servedBy;
    const durationKey = `${route}\u0001${servedBy}\u0001${errorType}`;
    const durationLabels = () => ({ gen_ai_operation_name: OPERATION, gen_ai_request_model: route, served_by: servedBy, error_type: errorType });
    s = {
      requests: this.requestCounterSlots.get(`${route}\u0001${group}\u0001${servedBy}\u0001${status}\u0001${errorType}\u0001${tenant}\u0001${stream}`, () => ({ route, group, served_by: servedBy, status, error_type: errorType, tenant, stream })),
      durationKey,
      durationLabels,
      duration: this.durationSlots.get(durationKey, durationLabels),
      cache: cache === '' ? undefined : this.cacheSlots.get(`${route}\u0001${cache}`, () => ({ route, result: cache })),
    };
    this.requestSlots.set(key, s);
    return s;
  }

  /** Starts the per-route SLO counters at 0 so rate() has a series before the first slow request. */
  knownRoutes(routes: Iterable<string>): void {
    for (const route of routes) this.slowSlots.get(route, () => ({ route }));
  }

  attempt(e: AttemptEvent): void {
    const status = attemptStatus(e);
    const errorType = e.errorKind ?? '';
    const key = `${e.group}\u0001${e.deployment}\u0001${status}\u0001${errorType}`;
    let s = this.attemptSlots.get(key);
    if (s === undefined) {
      const { group, deployment } = e;
      s = {
        attempts: this.attemptCounterSlots.get(key, () => ({ group, deployment, status, error_type: errorType })),
        duration: this.attemptDurationSlots.get(`${group}\u0001${deployment}\u0001${status}`, () => ({ group, deployment, status })),
      };
      this.attemptSlots.set(key, s);
    }
    s.attempts.value += 1;
    s.duration.observe(e.durationMs / 1000);
  }

  /** Refreshes a deployment's gauges and its group's usable count. */
  deployment(state: DeploymentState, groupUsable: number, role: 'primary' | 'fallback'): void {
    this.breakerState.labels(state.group, state.id).set(BREAKER_STATE_VALUE[state.breaker]);
    this.ejected.labels(state.group, state.id).set(state.ejected ? 1 : 0);
    this.up.labels(state.group, state.id).set(isUsable(state) && state.probeOk !== false ? 1 : 0);
    this.usable.labels(state.group, role).set(groupUsable);
  }

  /** A dependency's reachability (`bulwark_dependency_up`). */
  dependency(name: string, up: boolean): void {
    this.dependencyUp.labels(name).set(up ? 1 : 0);
  }

  /** Adds `delta` to the route's in-flight count (a Map update; the gauge reads it when scraped). */
  inFlightDelta(route: string, delta: number): void {
    this.inFlightCounts.set(route, (this.inFlightCounts.get(route) ?? 0) + delta);
  }

  overhead(ms: number): void {
    this.overheadSeries.observe(ms / 1000);
  }

  probe(deployment: string, ok: boolean): void {
    this.probes.labels(deployment, ok ? 'pass' : 'fail').inc();
  }

  /** The registries behind {@link text} (Bulwark's own, then the runtime metrics when on), for the OpenTelemetry export. */
  registries(): Array<Registry<RegistryContentType>> {
    return this.runtime === undefined ? [this.registry] : [this.registry, this.runtime];
  }

  /** The Prometheus text exposition (content type: {@link OpsMetrics.contentType}). */
  async text(): Promise<string> {
    if (this.runtime === undefined) return this.registry.metrics();
    const [own, runtime] = await Promise.all([this.registry.metrics(), this.runtime.metrics()]);
    // One exposition: OpenMetrics ends with a single "# EOF", after the runtime families.
    return this.exemplars ? `${own.replace(/# EOF\n?$/, '')}${runtime}` : `${own}${runtime}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Maps a label value outside `allowed` to `other`. */
export function collapse(value: string, allowed: ReadonlySet<string>): string {
  return allowed.has(value) ? value : OTHER_LABEL;
}

/**
 * Route label values: the configured routes when there are any; otherwise (library use without
 * a topology) the first {@link MAX_UNCONFIGURED_ROUTES} names seen, then `other` — a caller
 * choosing model names can never grow the series (or the SLA windows) without bound.
 */
export class RouteLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly configured: ReadonlySet<string>) {}

  label(route: string): string {
    if (this.configured.size > 0) return this.configured.has(route) ? route : OTHER_LABEL;
    if (this.seen.has(route)) return route;
    if (this.seen.size >= MAX_UNCONFIGURED_ROUTES) return OTHER_LABEL;
    this.seen.add(route);
    return route;
  }
}
