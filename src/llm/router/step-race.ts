import type { TimerHandle } from '../../core/clock.js';
import { DEFAULT_MAX_DEPLOYMENTS_PER_STEP } from '../defaults.js';
import { LlmError } from '../errors.js';
import type { Deployment } from './deployment.js';
import type { ModelGroup } from './model-group.js';
import type { RequestRun } from './request-run.js';
import type { ResolvedHedge } from './resolve-policies.js';
import type { RouterCore } from './router-core.js';
import { decideAfterFailure } from './step-failure.js';

/** How one chain step ended. Bad requests and cancellations are thrown instead. */
export type StepOutcome<R> =
  | { type: 'answered'; value: R; deployment: Deployment }
  | { type: 'failed' }
  | { type: 'redirect'; kind: 'context_length_exceeded' | 'content_filtered' }
  | { type: 'stopped' };

/** One call of a step on one deployment, started by {@link StepCalls.start}. */
export interface StepCall<R> {
  readonly promise: Promise<R>;
  /** True once the call reached the provider (a breaker or bulkhead refusal costs nothing). */
  readonly reachedUpstream: () => boolean;
}

/** What a step runs on a deployment (a chat call, or opening a stream) and how a loser's late value is let go. */
export interface StepCalls<R> {
  /**
   * Starts the call: `signal` runs the deployment's pipeline (the request's); `outrun`, when
   * hedging, aborts just the upstream attempt when the race is decided, so the breaker still
   * judges the loser by its abort reason (slow: `timeout`, counted; late starter: `cancelled`).
   */
  start(deployment: Deployment, signal: AbortSignal, outrun?: AbortSignal): StepCall<R>;
  /** A call that succeeded after another had already won (a hedge loser): release what it holds. */
  discard(value: R): void;
}

/** A started call and how it ended. */
class Launched<R> {
  ok = false;
  value: R | undefined = undefined;
  error: unknown = undefined;
  readonly done: Promise<Launched<R>>;
  constructor(
    readonly deployment: Deployment,
    readonly call: StepCall<R>,
    readonly controller: AbortController,
    /** When it started (the router's clock). */
    readonly startedAt: number,
  ) {
    this.done = call.promise.then(
      (value) => this.settle(true, value, undefined),
      (error: unknown) => this.settle(false, undefined, error),
    );
  }
  private settle(ok: boolean, value: R | undefined, error: unknown): Launched<R> {
    this.ok = ok;
    this.value = value;
    this.error = error;
    return this;
  }
}

const HEDGE_TIMER = Symbol('hedge');

/**
 * One chain step on a model group: the balancer picks a deployment (skipping `exclude`, open
 * breakers, ejected, drained and already-tried ones) and `calls.start` runs it; a failure worth
 * failing over moves to another deployment of the group, up to
 * {@link DEFAULT_MAX_DEPLOYMENTS_PER_STEP} that actually reached the provider.
 *
 * With the group's hedge policy (`policies.hedge`), a call still pending after `delayMs` does
 * not stop the step: another deployment starts beside it (at most `maxHedges` extra), the first
 * success wins and the others are aborted (their late values `discard`ed). A loser that had
 * gone `delayMs` without an answer — the call a hedge was started for — is aborted as a
 * `timeout` (a slow call: it counts against its breaker and the balancer, so a hung deployment
 * is found out even when hedges hide it from the caller); a hedge that merely lost the race is
 * cancelled and counts for nothing.
 */
export function runStep<R>(core: RouterCore, run: RequestRun, group: ModelGroup, exclude: Set<string>, calls: StepCalls<R>): Promise<StepOutcome<R>> {
  return group.hedge === undefined ? runOneAtATime(run, group, exclude, calls) : runHedged(core, run, group, group.hedge, exclude, calls);
}

const STOPPED: StepOutcome<never> = Object.freeze({ type: 'stopped' });
const FAILED: StepOutcome<never> = Object.freeze({ type: 'failed' });
const TO_CONTEXT_FALLBACKS: StepOutcome<never> = Object.freeze({ type: 'redirect', kind: 'context_length_exceeded' });
const TO_CONTENT_FALLBACKS: StepOutcome<never> = Object.freeze({ type: 'redirect', kind: 'content_filtered' });

/** The step's outcome after `deployment` failed, or undefined to fail over inside the group (throws for bad requests and cancellation). */
function afterFailure(run: RequestRun, deployment: Deployment, error: unknown): StepOutcome<never> | undefined {
  switch (decideAfterFailure(run, deployment, error)) {
    case 'stop':
      return STOPPED;
    case 'context':
      return TO_CONTEXT_FALLBACKS;
    case 'content':
      return TO_CONTENT_FALLBACKS;
    default:
      return undefined;
  }
}

/**
 * Nothing in the group could be picked (breakers open, ejected, drained): unless a real failure
 * is already known, the request's last error says so, with the time until the soonest breaker
 * lets a probe through (so the caller gets a 503 with Retry-After, not an anonymous 502).
 */
function noteNoneAvailable(run: RequestRun, group: ModelGroup): void {
  if (run.lastError !== undefined) return;
  let retryAfterMs: number | undefined;
  for (const deployment of group.deployments) {
    const waitMs = deployment.breaker.retryAfterMs;
    if (waitMs > 0 && (retryAfterMs === undefined || waitMs < retryAfterMs)) retryAfterMs = waitMs;
  }
  run.lastError = new LlmError('overloaded', `No deployment of model group ${group.name} is available (breakers open, ejected, drained or over their RPM/TPM budget)`, { retryAfterMs });
}

/** No hedge policy: one deployment at a time, the request's signal as the call's signal. */
async function runOneAtATime<R>(run: RequestRun, group: ModelGroup, exclude: Set<string>, calls: StepCalls<R>): Promise<StepOutcome<R>> {
  let reached = 0;
  while (reached < DEFAULT_MAX_DEPLOYMENTS_PER_STEP) {
    if (run.signal.aborted) return STOPPED;
    const id = group.balancer.pick(exclude);
    if (id === undefined) {
      noteNoneAvailable(run, group);
      break;
    }
    exclude.add(id);
    const deployment = group.byId.get(id)!;
    const call = calls.start(deployment, run.signal);
    try {
      return { type: 'answered', value: await call.promise, deployment };
    } catch (error) {
      if (call.reachedUpstream()) reached++;
      const outcome = afterFailure(run, deployment, error);
      if (outcome !== undefined) return outcome;
    }
  }
  return FAILED;
}

/** With a hedge policy: calls race, each on its own signal (so a loser can be aborted alone). */
async function runHedged<R>(core: RouterCore, run: RequestRun, group: ModelGroup, hedge: ResolvedHedge, exclude: Set<string>, calls: StepCalls<R>): Promise<StepOutcome<R>> {
  const pending = new Set<Launched<R>>();
  let hedgesLeft = hedge.maxHedges;
  let reached = 0;
  let timer: TimerHandle | undefined;
  let onTimer: (() => void) | undefined;

  const launch = (): boolean => {
    if (run.signal.aborted || reached + pending.size >= DEFAULT_MAX_DEPLOYMENTS_PER_STEP) return false;
    const id = group.balancer.pick(exclude);
    if (id === undefined) return false;
    exclude.add(id);
    const deployment = group.byId.get(id)!;
    const controller = new AbortController();
    pending.add(new Launched(deployment, calls.start(deployment, run.signal, controller.signal), controller, core.clock.now()));
    return true;
  };

  const armHedge = () => {
    if (timer !== undefined) core.clock.clearTimeout(timer);
    timer = undefined;
    if (hedgesLeft === 0) return;
    timer = core.clock.setTimeout(() => {
      timer = undefined;
      onTimer?.();
    }, hedge.delayMs);
  };

  /** Aborts the calls still running (hedge losers) and lets go of what they return later. */
  const abandon = () => {
    const cancelled = new LlmError('cancelled', 'Another hedged attempt answered first');
    const now = core.clock.now();
    for (const other of pending) {
      const slow = now - other.startedAt >= hedge.delayMs;
      other.controller.abort(slow
        ? new LlmError('timeout', `No answer after ${now - other.startedAt} ms (the hedge delay is ${hedge.delayMs} ms): a hedged attempt answered first`, { retryable: false })
        : cancelled);
      void other.done.then((late) => {
        if (late.ok) calls.discard(late.value as R);
      });
    }
    pending.clear();
  };

  try {
    if (!launch()) {
      if (run.signal.aborted) return STOPPED;
      noteNoneAvailable(run, group);
      return FAILED;
    }
    armHedge();
    for (;;) {
      const next = await new Promise<Launched<R> | typeof HEDGE_TIMER>((resolve) => {
        onTimer = () => resolve(HEDGE_TIMER);
        for (const call of pending) void call.done.then(resolve);
      });
      onTimer = undefined;
      if (next === HEDGE_TIMER) {
        if (launch()) hedgesLeft--;
        else hedgesLeft = 0; // no other deployment to hedge on
        armHedge();
        continue;
      }
      pending.delete(next);
      if (next.ok) {
        abandon();
        return { type: 'answered', value: next.value as R, deployment: next.deployment };
      }
      if (next.call.reachedUpstream()) reached++;
      let outcome: StepOutcome<never> | undefined;
      try {
        outcome = afterFailure(run, next.deployment, next.error);
      } catch (error) {
        abandon();
        throw error;
      }
      if (outcome !== undefined) {
        abandon();
        return outcome;
      }
      // A failure worth failing over: replace it with another deployment at once.
      if (launch()) armHedge();
      if (pending.size === 0) return run.signal.aborted ? STOPPED : FAILED;
    }
  } finally {
    if (timer !== undefined) core.clock.clearTimeout(timer);
  }
}
