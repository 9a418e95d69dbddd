import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { BulkheadRejectedError, ConcurrencyLimitedError, InvalidOptionsError, RateLimitedError } from '../../core/errors.js';
import { DeadlineList } from '../../core/deadline-list.js';
import { EventEmitter } from '../../core/events.js';
import { DEFAULT_TENANT } from '../defaults.js';
import { CanonicalChatExchange } from '../dialects/canonical/chat-exchange.js';
import { AllFallbacksFailedError, LlmError, UnknownModelError } from '../errors.js';
import type { Exchange } from '../exchange.js';
import type { Provider } from '../provider.js';
import type { AttemptEvent, BreakerEvent, EjectionEvent, RejectionReason, RequestEvent } from '../router-events.js';
import type { CallOptions, ChatRequest, ChatResult, ChatStream, ExchangeResult, ExchangeStream, Router, ServedInfo, Usage } from '../types.js';
import type { ResponseCache } from './cache/response-cache.js';
import { ChainPlan } from './chain-plan.js';
import { lastResort, walkChain } from './chain-walk.js';
import { runAnswerStep } from './chat-step.js';
import { Coalescer } from './coalescer.js';
import type { Deployment } from './deployment.js';
import type { ModelGroup } from './model-group.js';
import { probeDeployment } from './probe.js';
import { attemptsOf, noteAttempts, RequestRun } from './request-run.js';
import type { ResolvedRoute } from './resolved-route.js';
import type { ChainGroupView, DeploymentView, ProbeResult, RouterControl, RouterInspection } from './router-control.js';
import type { RequestOutcome, RouterCore } from './router-core.js';
import { openRoutedStream } from './stream/open-stream.js';
import { RequestTrace } from '../tracing/request-trace.js';

/** A routed answer plus what the request event needs to know. */
interface Routed<A> {
  result: ExchangeResult<A>;
  group: string | undefined;
  cacheHit: boolean;
  usage: Usage | undefined;
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
  private readonly coalescer = new Coalescer<Routed<unknown>>();
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
    const { answer, served } = await this.call(new CanonicalChatExchange(request, false, this.clock), options);
    return { response: answer, served };
  }

  stream(request: ChatRequest, options: CallOptions = {}): Promise<ChatStream> {
    return this.callStream(new CanonicalChatExchange(request, true, this.clock), options);
  }

  async call<A, U>(exchange: Exchange<A, U>, options: CallOptions = {}): Promise<ExchangeResult<A>> {
    const route = this.routeFor(exchange.route);
    const tenant = options.tenant ?? DEFAULT_TENANT;
    const requestId = options.requestId ?? randomUUID();
    const started = this.clock.now();
    const trace = RequestTrace.start(route.name, exchange, tenant, false);
    try {
      const key = route.usesCache || route.coalesce ? exchange.cacheKey(route.name, tenant) : undefined;
      let routed: Routed<A> | undefined;
      if (route.cache && key !== undefined) routed = await this.freshHit(exchange, key, route);
      if (routed === undefined) {
        if (route.coalesce && key !== undefined) {
          const joined = this.coalescer.join(key, options.signal, (shared) => this.walk(route, exchange, tenant, requestId, shared, key, trace));
          routed = (await joined.promise) as Routed<A>;
          if (!joined.leader) routed = { ...routed, result: { answer: routed.result.answer, served: { ...routed.result.served, attempts: 0 } } };
        } else {
          routed = await this.walk(route, exchange, tenant, requestId, options.signal, key, trace);
        }
      }
      const answer = routed.result.answer;
      const response = () => exchange.describeAnswer?.(answer);
      this.reportRequest(route, tenant, started, { served: routed.result.served, group: routed.group, cacheHit: routed.cacheHit, usage: routed.usage, response }, undefined, false, undefined, trace, requestId);
      return routed.usage === undefined ? routed.result : { ...routed.result, usage: routed.usage };
    } catch (error) {
      this.reportRequest(route, tenant, started, undefined, error, false, undefined, trace, requestId);
      throw error;
    }
  }

  callStream<A, U>(exchange: Exchange<A, U>, options: CallOptions = {}): Promise<ExchangeStream<U>> {
    let route: ResolvedRoute;
    try {
      route = this.routeFor(exchange.route);
    } catch (error) {
      return Promise.reject(error);
    }
    return openRoutedStream(this, route, exchange, {
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

  private async freshHit<A>(exchange: Exchange<A, unknown>, key: string, route: ResolvedRoute): Promise<Routed<A> | undefined> {
    const hit = await this.cache.get(key, route.cacheTtlMs);
    if (hit === undefined || !hit.fresh) return undefined;
    const answer = exchange.restore(hit.response);
    if (answer === undefined) return undefined;
    return { result: { answer, served: { servedBy: 'cache', attempts: 0, fallbackDepth: 0, degraded: false } }, group: undefined, cacheHit: true, usage: exchange.usageOf(answer) };
  }

  /** Walks the model steps ({@link walkChain}, shared with streams), then the last resorts. */
  private async walk<A>(route: ResolvedRoute, exchange: Exchange<A, unknown>, tenant: string, requestId: string, signal: AbortSignal | undefined, key: string | undefined, trace: RequestTrace | undefined): Promise<Routed<A>> {
    const run = new RequestRun<A, unknown>(route, exchange, tenant, requestId, signal, key, this.runDeadlines);
    run.trace = trace;
    try {
      const plan = new ChainPlan(route);
      const walked = await walkChain(run, plan, (group, exclude) => runAnswerStep(this, run, group, exclude));
      if (walked !== undefined) {
        const { value, usage, call } = walked.value;
        if (key !== undefined && route.usesCache) void this.cache.set(key, exchange.store(value), route.cacheTtlMs);
        const served: ServedInfo = { servedBy: walked.deployment.id, attempts: run.attempts, fallbackDepth: walked.depth, degraded: false };
        if (call.dropped !== undefined && call.dropped.length > 0) served.dropped = call.dropped;
        return { result: { answer: value, served }, group: walked.group.name, cacheHit: false, usage };
      }
      const last = await lastResort(this, run, plan.length);
      return { result: last, group: undefined, cacheHit: last.served.servedBy === 'cache', usage: exchange.usageOf(last.answer) };
    } catch (error) {
      noteAttempts(error, run.attempts);
      throw error;
    } finally {
      run.dispose();
    }
  }

  /** Emits the RequestEvent of a finished request (an answer, or a stream once it ended). */
  reportRequest(route: ResolvedRoute, tenant: string, started: number, outcome: RequestOutcome | undefined, error: unknown, stream: boolean, ttftMs?: number, trace?: RequestTrace, requestId?: string): void {
    if (trace !== undefined) {
      if (outcome !== undefined) trace.succeed({ served: outcome.served, response: outcome.response?.(), cacheHit: outcome.cacheHit, inputTokens: outcome.usage?.inputTokens, outputTokens: outcome.usage?.outputTokens });
      else trace.fail(errorKindOf(error) ?? 'internal', attemptsOf(error));
    }
    const events = this.requestEvents;
    if (!events.hasListeners) return;
    const now = this.clock.now();
    if (outcome !== undefined) {
      const { served, usage } = outcome;
      events.emit({
        route: route.name, tenant, servedBy: served.servedBy, group: outcome.group, fallbackDepth: served.fallbackDepth,
        attempts: served.attempts, degraded: served.degraded, ok: true, stream, durationMs: now - started, ttftMs,
        inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0, cacheHit: outcome.cacheHit, at: now, requestId, traceId: trace?.traceId,
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
