import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { BulkheadRejectedError, ConcurrencyLimitedError, InvalidOptionsError, RateLimitedError } from '../../core/errors.js';
import { DeadlineList } from '../../core/deadline-list.js';
import { EventEmitter } from '../../core/events.js';
import { DEFAULT_TENANT } from '../defaults.js';
import { AllFallbacksFailedError, LlmError, UnknownModelError } from '../errors.js';
import type { Provider } from '../provider.js';
import type { AttemptEvent, BreakerEvent, EjectionEvent, RejectionReason, RequestEvent } from '../router-events.js';
import type { CallOptions, ChatRequest, ChatResponse, ChatResult, ChatStream, Router, ServedInfo } from '../types.js';
import { cacheKey } from './cache/cache-key.js';
import type { ResponseCache } from './cache/response-cache.js';
import { ChainPlan } from './chain-plan.js';
import { runChatStep } from './chat-step.js';
import { Coalescer } from './coalescer.js';
import { renderDefaultResponse } from './default-response.js';
import type { Deployment } from './deployment.js';
import type { ModelGroup } from './model-group.js';
import { probeDeployment } from './probe.js';
import { attemptsOf, noteAttempts, RequestRun } from './request-run.js';
import type { ResolvedRoute } from './resolved-route.js';
import type { ChainGroupView, DeploymentView, ProbeResult, RouterControl, RouterInspection } from './router-control.js';
import type { RouterCore } from './router-core.js';
import { openRouterStream } from './stream/open-stream.js';
import { RequestTrace } from '../tracing/request-trace.js';

/** A routed answer plus what the request event needs to know. */
export interface Routed {
  result: ChatResult;
  group: string | undefined;
  cacheHit: boolean;
}

/** The parts `createRouter` builds and hands over. */
export interface RouterParts {
  clock: Clock;
  cache: ResponseCache;
  providers: ReadonlyMap<string, Provider>;
  groups: ReadonlyMap<string, ModelGroup>;
  deployments: ReadonlyMap<string, Deployment>;
  /** Configured routes, then implicit one-step routes for model groups (by name). */
  routes: ReadonlyMap<string, ResolvedRoute>;
  implicitRoutes: ReadonlySet<string>;
}

/**
 * The router: routes → fallback chain (model groups in order, then cache, then the default
 * answer), with per-deployment pipelines, response cache, coalescing and streaming failover.
 * Built by `createRouter`, which validates the config once.
 */
export class BulwarkRouter implements Router, RouterControl, RouterCore {
  readonly clock: Clock;
  readonly cache: ResponseCache;
  /** The routes' total timeouts of the requests in flight (one timer for all of them). */
  readonly runDeadlines: DeadlineList;
  readonly attemptEvents = new EventEmitter<AttemptEvent>();
  readonly requestEvents = new EventEmitter<RequestEvent>();
  private readonly breakerEvents = new EventEmitter<BreakerEvent>();
  private readonly ejectionEvents = new EventEmitter<EjectionEvent>();
  readonly onRequest = this.requestEvents.event;
  readonly onAttempt = this.attemptEvents.event;
  readonly onBreaker = this.breakerEvents.event;
  readonly onEjection = this.ejectionEvents.event;
  private readonly coalescer = new Coalescer<Routed>();
  private readonly disposers: Array<() => void> = [];
  private closed = false;

  constructor(private readonly parts: RouterParts) {
    this.clock = parts.clock;
    this.cache = parts.cache;
    this.runDeadlines = new DeadlineList(parts.clock);
    for (const group of parts.groups.values()) {
      this.disposers.push(group.balancer.onEjection((event) => this.ejectionEvents.emit(event)));
      for (const deployment of group.deployments) {
        this.disposers.push(
          deployment.breaker.onStateChange((change) => {
            this.breakerEvents.emit({ group: group.name, deployment: deployment.id, from: change.from, to: change.to, reason: change.reason, at: change.at });
          }),
        );
      }
    }
  }

  models(): string[] {
    return [...this.parts.routes.keys()];
  }

  async chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResult> {
    const route = this.routeFor(request.model);
    const tenant = options.tenant ?? DEFAULT_TENANT;
    const requestId = options.requestId ?? randomUUID();
    const started = this.clock.now();
    const trace = RequestTrace.start(route.name, request, tenant, false);
    try {
      const key = route.usesCache || route.coalesce ? cacheKey(route.name, request, tenant) : undefined;
      let routed: Routed | undefined;
      if (route.cache && key !== undefined) routed = await this.freshHit(key, route);
      if (routed === undefined) {
        if (route.coalesce && key !== undefined) {
          const joined = this.coalescer.join(key, options.signal, (shared) => this.walk(route, request, tenant, requestId, shared, key, trace));
          routed = await joined.promise;
          if (!joined.leader) routed = { ...routed, result: { response: routed.result.response, served: { ...routed.result.served, attempts: 0 } } };
        } else {
          routed = await this.walk(route, request, tenant, requestId, options.signal, key, trace);
        }
      }
      this.emitRequest(route, tenant, started, routed, undefined, false, undefined, trace, requestId);
      return routed.result;
    } catch (error) {
      this.emitRequest(route, tenant, started, undefined, error, false, undefined, trace, requestId);
      throw error;
    }
  }

  stream(request: ChatRequest, options: CallOptions = {}): Promise<ChatStream> {
    let route: ResolvedRoute;
    try {
      route = this.routeFor(request.model);
    } catch (error) {
      return Promise.reject(error);
    }
    return openRouterStream(this, route, request, {
      tenant: options.tenant ?? DEFAULT_TENANT,
      requestId: options.requestId ?? randomUUID(),
      signal: options.signal,
    });
  }

  /** The resolved route for a model name, or UnknownModelError. */
  routeFor(model: string): ResolvedRoute {
    if (this.closed) throw new LlmError('cancelled', 'The router is closed');
    const route = this.parts.routes.get(model);
    if (route === undefined) throw new UnknownModelError(model);
    return route;
  }

  private async freshHit(key: string, route: ResolvedRoute): Promise<Routed | undefined> {
    const hit = await this.cache.get(key, route.cacheTtlMs);
    if (hit === undefined || !hit.fresh) return undefined;
    return { result: { response: hit.response, served: { servedBy: 'cache', attempts: 0, fallbackDepth: 0, degraded: false } }, group: undefined, cacheHit: true };
  }

  /** Walks the model steps, then the last resorts. */
  private async walk(route: ResolvedRoute, request: ChatRequest, tenant: string, requestId: string, signal: AbortSignal | undefined, key: string | undefined, trace: RequestTrace | undefined): Promise<Routed> {
    const run = new RequestRun(route, request, tenant, requestId, signal, key, this.runDeadlines);
    run.trace = trace;
    try {
      const plan = new ChainPlan(route);
      for (let step = plan.next(); step !== undefined; step = plan.next()) {
        const outcome = await runChatStep(this, run, step.group);
        if (outcome.type === 'answered') {
          if (key !== undefined && route.usesCache) void this.cache.set(key, outcome.value, route.cacheTtlMs);
          const served: ServedInfo = { servedBy: outcome.deployment.id, attempts: run.attempts, fallbackDepth: step.depth, degraded: false };
          return { result: { response: outcome.value, served }, group: step.group.name, cacheHit: false };
        }
        if (outcome.type === 'stopped') break;
        if (outcome.type === 'redirect') plan.redirect(outcome.kind);
      }
      if (run.cancelled) throw new LlmError('cancelled', 'The caller cancelled the request', { cause: run.lastError });
      const last = await this.lastResort(run, plan.length);
      return { result: { response: last.response, served: last.served }, group: undefined, cacheHit: last.served.servedBy === 'cache' };
    } catch (error) {
      noteAttempts(error, run.attempts);
      throw error;
    } finally {
      run.dispose();
    }
  }

  /**
   * Every model failed: the last good answer for this request (stale-if-error, even past its
   * TTL; depth = model steps planned), else the route's default answer (depth + 1), else
   * AllFallbacksFailedError carrying the last error.
   */
  async lastResort(run: RequestRun, planLength: number): Promise<{ response: ChatResponse; served: ServedInfo }> {
    const route = run.route;
    if (route.staleIfError && run.cacheKey !== undefined) {
      const hit = await this.cache.get(run.cacheKey, route.cacheTtlMs);
      if (hit !== undefined) return { response: hit.response, served: { servedBy: 'cache', attempts: run.attempts, fallbackDepth: planLength, degraded: true } };
    }
    if (route.defaultResponse !== undefined) {
      const response = renderDefaultResponse(route.defaultResponse, run.request.model, run.requestId, this.clock.now());
      return { response, served: { servedBy: 'default', attempts: run.attempts, fallbackDepth: planLength + 1, degraded: true } };
    }
    throw new AllFallbacksFailedError(run.attempts, run.lastError);
  }

  /** Emits the RequestEvent of a finished request (chat, or a stream once it ended), and ends its trace. */
  emitRequest(route: ResolvedRoute, tenant: string, started: number, routed: Routed | undefined, error: unknown, stream = false, ttftMs?: number, trace?: RequestTrace, requestId?: string): void {
    if (trace !== undefined) {
      if (routed !== undefined) trace.succeed({ served: routed.result.served, response: routed.result.response, cacheHit: routed.cacheHit });
      else trace.fail(errorKindOf(error) ?? 'internal', attemptsOf(error));
    }
    const events = this.requestEvents;
    if (!events.hasListeners) return;
    const now = this.clock.now();
    if (routed !== undefined) {
      const { served, response } = routed.result;
      events.emit({
        route: route.name, tenant, servedBy: served.servedBy, group: routed.group, fallbackDepth: served.fallbackDepth,
        attempts: served.attempts, degraded: served.degraded, ok: true, stream, durationMs: now - started, ttftMs,
        inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, cacheHit: routed.cacheHit, at: now, requestId, traceId: trace?.traceId,
      });
      return;
    }
    const attempts = attemptsOf(error);
    const event: RequestEvent = {
      route: route.name, tenant, servedBy: 'none', fallbackDepth: 0, attempts, degraded: false, ok: false,
      errorKind: errorKindOf(error), stream, durationMs: now - started, ttftMs, inputTokens: 0, outputTokens: 0, cacheHit: false, at: now, requestId, traceId: trace?.traceId,
    };
    const rejection = attempts === 0 ? localRejection(error) : undefined;
    if (rejection !== undefined) event.rejection = rejection;
    events.emit(event);
  }

  // ── RouterControl ────────────────────────────────────────────────────────────

  inspect(): RouterInspection {
    const views = new Map<string, DeploymentView[]>();
    const viewOf = (group: ModelGroup): ChainGroupView => {
      let deployments = views.get(group.name);
      if (deployments === undefined) {
        const states = new Map(group.balancer.states().map((s) => [s.id, s]));
        deployments = group.deployments.map((d) => {
          const s = states.get(d.id);
          const ejected = s?.ejected ?? false;
          return {
            id: d.id, group: group.name, provider: d.config.provider, model: d.config.model, region: d.config.region,
            breaker: d.breaker.state, breakerRetryAfterMs: d.breaker.retryAfterMs, ejected, ejectedUntil: s?.ejectedUntil,
            drained: d.drained, available: d.isAvailable() && !ejected, outstanding: s?.outstanding ?? 0,
            latencyEwmaMs: s?.latencyEwmaMs ?? 0, lastErrorKind: d.lastErrorKind, lastErrorAt: d.lastErrorAt,
            canContinue: d.config.canContinue ?? false,
          };
        });
        views.set(group.name, deployments);
      }
      return { group: group.name, deployments };
    };
    const routes = [...this.parts.routes.values()].map((route) => ({
      name: route.name,
      required: route.required,
      implicit: this.parts.implicitRoutes.has(route.name),
      chain: route.chain.map(viewOf),
      contextWindowFallbacks: route.contextWindowFallbacks.map(viewOf),
      contentPolicyFallbacks: route.contentPolicyFallbacks.map(viewOf),
      cache: route.cache,
      staleIfError: route.staleIfError,
      hasDefaultResponse: route.defaultResponse !== undefined,
      streamFailover: route.streamFailover,
    }));
    return { at: this.clock.now(), routes };
  }

  forceOpen(deploymentId: string): void {
    this.deployment(deploymentId).forceOpen();
  }

  forceClosed(deploymentId: string): void {
    this.deployment(deploymentId).forceClosed();
  }

  release(deploymentId: string): void {
    this.deployment(deploymentId).release();
  }

  drain(deploymentId: string): void {
    this.deployment(deploymentId).drained = true;
  }

  undrain(deploymentId: string): void {
    this.deployment(deploymentId).drained = false;
  }

  probe(deploymentId: string, options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
    return probeDeployment(this.deployment(deploymentId), this.clock, options.signal);
  }

  deploymentIds(): string[] {
    return [...this.parts.deployments.keys()];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const dispose of this.disposers) dispose();
    for (const deployment of this.parts.deployments.values()) deployment.breaker.dispose();
    await Promise.allSettled([...this.parts.providers.values()].map((p) => p.close()));
    await this.cache.close();
  }

  private deployment(id: string): Deployment {
    const deployment = this.parts.deployments.get(id);
    if (deployment === undefined) {
      throw new InvalidOptionsError(`Unknown deployment id ${JSON.stringify(id)} (known: ${[...this.parts.deployments.keys()].join(', ')})`);
    }
    return deployment;
  }
}

/** A request every deployment refused locally (bulkhead, adaptive limit, shared quota) before any upstream call. */
function localRejection(error: unknown): RejectionReason | undefined {
  if (!(error instanceof AllFallbacksFailedError) || !(error.lastError instanceof LlmError)) return undefined;
  const cause = error.lastError.cause;
  if (cause instanceof BulkheadRejectedError || cause instanceof ConcurrencyLimitedError) return 'bulkhead_full';
  if (cause instanceof RateLimitedError) return 'rate_limited';
  return undefined;
}

function errorKindOf(error: unknown): RequestEvent['errorKind'] {
  if (error instanceof AllFallbacksFailedError) return 'all_failed';
  if (error instanceof LlmError) return error.kind;
  if (error instanceof Error && error.name === 'StreamInterruptedError') return 'stream_interrupted';
  return undefined;
}
