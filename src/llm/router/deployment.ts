import type { Clock } from '../../core/clock.js';
import { BrokenCircuitError, IsolatedCircuitError, TimeoutError } from '../../core/errors.js';
import type { Disposable } from '../../core/events.js';
import type { Operation, Policy, RunnablePolicy } from '../../core/policy.js';
import type { RandomSource } from '../../core/random.js';
import { CircuitBreaker, ConsecutiveBreaker, type BreakerStateStore, type ErrorClassification } from '../../core/circuit-breaker/index.js';
import type { ProbeGate } from '../../core/circuit-breaker/probe-gate.js';
import { pipeline } from '../../core/pipeline.js';
import { retry } from '../../core/retry.js';
import { exponentialBackoff } from '../../core/backoff.js';
import { timeout } from '../../core/timeout.js';
import { bulkhead, type BulkheadPolicy } from '../../core/bulkhead.js';
import { LlmError, type LlmErrorKind } from '../errors.js';
import type { UpstreamTarget } from '../exchange.js';
import type { Provider } from '../provider.js';
import type { DeploymentConfig } from '../router-config.js';
import type { ResolvedPolicies } from './resolve-policies.js';

/** `front` runs first and admits the call into `guarded` (composition without flattening, see Deployment). */
class Fronted implements Policy {
  constructor(private readonly front: Policy, private readonly guarded: Policy) {}

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.front.execute((context) => this.guarded.execute(operation, context.signal), signal);
  }
}

/** What a deployment's pipelines need from the router. */
export interface DeploymentDeps {
  clock: Clock;
  random: RandomSource;
  breakerStore?: BreakerStateStore;
  probeGate?: ProbeGate;
  /** Policies in front of the pipeline (`RouterDeps.deploymentPolicies`). */
  front?: RunnablePolicy[];
}

/** Retry only what a second attempt can fix (LlmError.retryable, or a policy timeout). */
export function shouldRetryUpstream(error: unknown): boolean {
  if (error instanceof LlmError) return error.retryable;
  return error instanceof TimeoutError;
}

/**
 * How an error counts for a deployment's breaker: an `LlmError` as its meaning says (`ERROR_MEANINGS` in llm/errors.ts)
 * (only what the upstream did is a `failure`); an attempt timeout is a `failure` (a hung upstream
 * must trip the breaker); anything else — a refusal by our own limits in front of the call, or
 * an error the provider did not classify (Bulwark's own code) — says nothing about the upstream
 * (`ignore`).
 */
export function classifyForBreaker(error: unknown): ErrorClassification {
  if (error instanceof LlmError) return error.meaning.breaker;
  if (error instanceof TimeoutError) return 'failure';
  return 'ignore';
}

/** True when the breaker refused the call: it was not attempted and cost nothing. */
export function isBreakerRejection(error: unknown): boolean {
  return error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError;
}

/**
 * One deployment at run time: its provider, its breaker, and its pipelines, built once:
 * bulkhead → breaker → retry (Retry-After honoured up to `maxRetryAfterMs`) → attempt timeout →
 * call. `chat` bounds each attempt by `attemptTimeoutMs`; `streamOpen` bounds the wait for a
 * stream's first token by `firstTokenTimeoutMs` (the rest of a stream is watched by the
 * provider's idle timer). Both share one bulkhead, breaker and retry policy. A stream holds its
 * bulkhead slot and its breaker until it ends (see {@link Deployment.openStream}): a break after
 * the first token counts against the breaker too.
 */
export class Deployment {
  readonly id: string;
  /** What an exchange is told about this deployment when it prepares a call for it. */
  readonly target: UpstreamTarget;
  readonly breaker: CircuitBreaker;
  readonly chat: Policy;
  /** Opening a stream, without the bulkhead (see {@link openStream}). */
  readonly streamOpen: Policy;
  private readonly slots: BulkheadPolicy;
  /** Drained deployments get no new traffic (calls in flight finish). */
  drained = false;
  lastErrorKind: LlmErrorKind | undefined;
  lastErrorAt: number | undefined;
  private holds: Disposable[] = [];

  constructor(
    readonly group: string,
    readonly config: DeploymentConfig,
    readonly provider: Provider,
    readonly policies: ResolvedPolicies,
    private readonly deps: DeploymentDeps,
  ) {
    this.id = config.id;
    this.target = Object.freeze({ family: provider.dialect, model: config.model, deployment: config.id, ...(provider.acceptsStreamOptions === false ? { acceptsStreamOptions: false } : {}) });
    this.breaker = new CircuitBreaker({
      name: config.id,
      strategy: new ConsecutiveBreaker(policies.breaker.failureThreshold),
      openMs: policies.breaker.openMs,
      halfOpenMaxCalls: policies.breaker.halfOpenMaxCalls,
      classifyError: classifyForBreaker,
      clock: deps.clock,
      random: deps.random,
      store: deps.breakerStore,
      probeGate: deps.probeGate,
    });
    const retryPolicy = retry({
      maxAttempts: policies.retry.maxAttempts,
      backoff: exponentialBackoff({ initialDelayMs: policies.retry.baseDelayMs, maxDelayMs: policies.retry.maxDelayMs }),
      maxDelayMs: policies.retry.maxDelayMs,
      maxRetryAfterMs: policies.retry.maxRetryAfterMs,
      shouldRetry: shouldRetryUpstream,
      clock: deps.clock,
      random: deps.random,
    });
    const slots = bulkhead({
      maxConcurrent: policies.bulkhead.maxConcurrent,
      maxQueued: policies.bulkhead.maxQueued,
      queueTimeoutMs: policies.bulkhead.queueTimeoutMs,
      clock: deps.clock,
    });
    const front = deps.front ?? [];
    this.slots = slots;
    const guarded = pipeline(slots, this.breaker, retryPolicy, timeout({ timeoutMs: policies.attemptTimeoutMs, clock: deps.clock }));
    // The front policies (the gateway's adaptive limit, shared quotas) are not the core's: kept
    // outside the pipeline, they leave it its fast path (closed breaker, bulkhead room, first attempt).
    this.chat = front.length === 0 ? guarded : new Fronted(front.length === 1 ? front[0] : pipeline(...front), guarded);
    this.streamOpen = pipeline(...front, retryPolicy, timeout({ timeoutMs: policies.firstTokenTimeoutMs, clock: deps.clock }));
  }

  /**
   * Opens a stream under this deployment's policies. The bulkhead slot and the breaker both cover
   * the stream's whole life, not just its opening: `open` runs inside `streamOpen` (front
   * policies → retry → first-token timeout), inside the breaker, inside the bulkhead. The stream
   * is handed over as soon as it is open; its outcome settles the breaker when `ended` resolves —
   * a stream that breaks after its first token counts as a failure (a deployment that cuts every
   * stream trips its breaker), a cancelled one counts for nothing.
   */
  openStream<S extends { readonly ended: Promise<LlmError | undefined> }>(open: Operation<S>, signal: AbortSignal): Promise<S> {
    return new Promise<S>((resolve, reject) => {
      let opened = false;
      this.slots
        .execute((slot) => this.breaker.execute(async (guarded) => {
          const stream = await this.streamOpen.execute(open, guarded.signal);
          opened = true;
          resolve(stream);
          const broken = await stream.ended;
          if (broken !== undefined) throw broken;
        }, slot.signal), signal)
        .catch((error: unknown) => {
          if (!opened) reject(error);
        });
    });
  }

  /** Can take new traffic: not drained, breaker neither open nor isolated (reading the state moves an expired open breaker to half-open). */
  isAvailable(): boolean {
    if (this.drained) return false;
    const state = this.breaker.state;
    return state !== 'open' && state !== 'isolated';
  }

  recordError(kind: LlmErrorKind): void {
    this.lastErrorKind = kind;
    this.lastErrorAt = this.deps.clock.now();
  }

  /**
   * Opens the breaker now for one open period (auth failures: the key is wrong, retrying
   * anywhere with it is pointless). After the period one half-open probe tests it again, so a
   * fixed key heals without an operator; `release()` heals at once.
   */
  markUnhealthy(reason: string): void {
    const state = this.breaker.state;
    if (state === 'isolated' || state === 'forced-closed' || state === 'disabled' || state === 'open') return;
    const now = this.deps.clock.now();
    this.breaker.restore({
      version: 1,
      state: 'open',
      reason,
      changedAt: now,
      openUntil: now + this.policies.breaker.openMs,
      consecutiveTrips: this.breaker.toJSON().consecutiveTrips + 1,
    });
  }

  /** Operator: isolate (breaker forced open) until {@link release}. */
  forceOpen(): void {
    this.holds.push(this.breaker.isolate());
  }

  /** Operator: keep the breaker closed whatever happens until {@link release}. */
  forceClosed(): void {
    this.holds.push(this.breaker.forceClose());
  }

  /** Operator: drop every hold and close the breaker (also heals a tripped or auth-opened breaker). */
  release(): void {
    const holds = this.holds;
    this.holds = [];
    for (const dispose of holds) dispose();
    const state = this.breaker.state;
    if (state === 'open' || state === 'half-open') {
      this.breaker.restore({ version: 1, state: 'closed', reason: 'released by operator', changedAt: this.deps.clock.now(), openUntil: null, consecutiveTrips: 0 });
    }
  }
}
