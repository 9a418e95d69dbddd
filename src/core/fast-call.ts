import type { CircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import type { BulkheadPolicy } from './bulkhead.js';
import type { DeadlineEntry } from './deadline-list.js';
import { TimeoutError } from './errors.js';
import { Execution } from './execution.js';
import type { ExecuteContext, Operation, Policy } from './policy.js';
import type { RateLimiterPolicy } from './rate-limiter.js';
import type { RetryPolicy } from './retry.js';
import type { TimeoutPolicy } from './timeout.js';

/** A pipeline step built once: runs the policies from one position inward, then the operation. */
export type Step = (context: ExecuteContext) => Promise<unknown>;

/**
 * @internal What a built-in policy is to the fast path (its `fastKind`). A policy without one
 * ends the fast prefix of a pipeline: from there on the call runs through the policies' `run`.
 */
export const FAST_RETRY = 1;
/** @internal */
export const FAST_BREAKER = 2;
/** @internal */
export const FAST_TIMEOUT = 3;
/** @internal */
export const FAST_BULKHEAD = 4;
/** @internal */
export const FAST_RATE_LIMITER = 5;

/** @internal A policy taking part in the fast path. */
export interface FastPolicy extends Policy {
  readonly fastKind: number;
}

function fastKindOf(policy: Policy): number {
  const kind = (policy as Partial<FastPolicy>).fastKind;
  return typeof kind === 'number' ? kind : 0;
}

/**
 * A pipeline's fast path, planned once when the pipeline is built: the longest prefix of its
 * policies that can admit a call synchronously (built-in retry, breaker, timeout, bulkhead, rate
 * limiter; at most one retry, one breaker and one timeout, which each keep one slot per call).
 *
 * On a call, each policy of the prefix admits it in turn without waiting — the retry counts a
 * first attempt, the breaker is closed, the bulkhead has room, the limiter has a token, the
 * timeout links the call into its deadline list — and the operation runs at once. Its outcome is
 * handed back through the same policies inside one reaction: one promise for the whole pipeline
 * instead of one async frame per policy, one context for the call and one for the attempt (only
 * when there is a timeout to abort it), no closure built per policy.
 *
 * Anything off the common path leaves it where it happens, with the exact semantics of `run`: a
 * policy that cannot admit at once (open breaker, full bulkhead, empty bucket), a policy outside
 * the prefix, a retry after the first attempt failed — from that position the call continues
 * through the pipeline's ordinary steps and its outcome comes back into the fast call there.
 */
export class FastPlan {
  readonly policies: readonly FastPolicy[];
  readonly kinds: readonly number[];
  /** Position of the timeout in the prefix, or -1. Policies after it see the attempt's context. */
  readonly timeoutAt: number;
  /** Whether the operation itself follows the prefix (no slow policy after it). */
  readonly coversAll: boolean;

  private constructor(policies: readonly FastPolicy[], timeoutAt: number, coversAll: boolean, readonly steps: readonly Step[]) {
    this.policies = policies;
    this.kinds = policies.map(fastKindOf);
    this.timeoutAt = timeoutAt;
    this.coversAll = coversAll;
    Object.freeze(this);
  }

  /**
   * The plan for `policies` (outermost first), whose step `i` runs policies `i…` the ordinary way
   * (`steps[policies.length]` runs the operation alone); undefined when no prefix qualifies.
   */
  static of(policies: readonly Policy[], steps: readonly Step[]): FastPlan | undefined {
    const prefix: FastPolicy[] = [];
    const seen = new Set<number>();
    let timeoutAt = -1;
    for (const policy of policies) {
      const kind = fastKindOf(policy);
      if (kind === 0) break;
      const single = kind === FAST_RETRY || kind === FAST_BREAKER || kind === FAST_TIMEOUT;
      if (single && seen.has(kind)) break;
      seen.add(kind);
      if (kind === FAST_TIMEOUT) timeoutAt = prefix.length;
      prefix.push(policy as FastPolicy);
    }
    if (prefix.length === 0) return undefined;
    return new FastPlan(Object.freeze(prefix), timeoutAt, prefix.length === policies.length, steps);
  }

  /** Runs `operation` through the pipeline, on the fast path as far as it goes. */
  execute(operation: Operation<unknown>, signal: AbortSignal | undefined): Promise<unknown> {
    return FastCall.start(this, operation, signal);
  }
}

/** The call being started: lets the promise executor below be a function built once. */
let starting: FastCall | undefined;
function captureSettlers(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  starting!.resolveCall = resolve;
  starting!.rejectCall = reject;
}

/** `start` of a breaker that does not time its calls. */
const UNTIMED = -1;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

const NOT_ABORTED: unknown = Symbol('bulwark.fastCall.notAborted');

/**
 * One call on a {@link FastPlan}. With a timeout in the plan the call owns the promise its caller
 * gets (the timeout must be able to settle it first) and is the timeout's deadline entry; without
 * one, the caller gets the promise of the one reaction to the work, and no other.
 *
 * It is also the context the work gets when every policy admitted it at once, so a call makes no
 * second object: the first attempt's context. Its `signal` (made only when read: then through an
 * Execution, the one way signals are linked) is aborted by the timeout and follows the caller's;
 * without a timeout it is the caller's own. Off the fast path the remaining policies run with
 * Executions (`outer`, `inner`), as through their `run`.
 */
class FastCall implements DeadlineEntry, ExecuteContext {
  readonly attempt = 1;
  // DeadlineEntry (used when the plan has a timeout).
  deadline = 0;
  previousEntry: DeadlineEntry | undefined = undefined;
  nextEntry: DeadlineEntry | undefined = undefined;
  listed = false;
  resolveCall: ((value: unknown) => void) | undefined = undefined;
  rejectCall: ((error: unknown) => void) | undefined = undefined;
  /** The call's context outside the timeout (made when first needed). */
  private outer: Execution | undefined = undefined;
  /** The first attempt as an Execution: made when its signal is read or the policies' steps run it. */
  private inner: Execution | undefined = undefined;
  /** Why the first attempt was aborted (the timeout, the caller), or NOT_ABORTED. */
  private reason: unknown = NOT_ABORTED;
  /** The timeout expired: the policies outside it already have their outcome. */
  private expired = false;
  /** When the breaker admitted the call (for its durations), or UNTIMED. */
  private breakerStart = UNTIMED;
  private readonly plan: FastPlan;
  private readonly operation: Operation<unknown>;
  private readonly callerSignal: AbortSignal | undefined;

  private constructor(plan: FastPlan, operation: Operation<unknown>, signal: AbortSignal | undefined) {
    this.plan = plan;
    this.operation = operation;
    this.callerSignal = signal;
  }

  static start(plan: FastPlan, operation: Operation<unknown>, signal: AbortSignal | undefined): Promise<unknown> {
    const call = new FastCall(plan, operation, signal);
    if (plan.timeoutAt < 0) return call.run() as Promise<unknown>;
    starting = call;
    const promise = new Promise(captureSettlers);
    starting = undefined;
    call.run();
    return promise;
  }

  /** The first attempt's signal, created when first read. */
  get signal(): AbortSignal {
    // Without a timeout nothing but the caller aborts the work: its signal is the caller's.
    if (this.plan.timeoutAt < 0 && this.callerSignal !== undefined) return this.callerSignal;
    return (this.inner ??= this.attemptExecution()).signal;
  }

  /** True when the first attempt was aborted (by the timeout or the caller); never makes a signal. */
  get aborted(): boolean {
    if (this.inner !== undefined) return this.inner.aborted;
    return this.reason !== NOT_ABORTED || (this.callerSignal !== undefined && this.callerSignal.aborted);
  }

  /** Why the first attempt was aborted; undefined if it was not. */
  get abortReason(): unknown {
    if (this.inner !== undefined) return this.inner.abortReason;
    if (this.reason !== NOT_ABORTED) return this.reason;
    return this.callerSignal?.aborted ? this.callerSignal.reason : undefined;
  }

  /** The first attempt as an Execution (like Execution.abortableRoot), aborted already if the attempt was. */
  private attemptExecution(): Execution {
    const inner = this.plan.timeoutAt < 0 ? Execution.root(this.operation, this.callerSignal) : Execution.abortableRoot(this.operation, this.callerSignal);
    if (this.reason !== NOT_ABORTED) inner.abort(this.reason);
    return inner;
  }

  /** Admits the call through the prefix, starts the work, and follows it. */
  private run(): unknown {
    const { policies, kinds } = this.plan;
    let admitted = 0;
    admit: for (; admitted < policies.length; admitted++) {
      const policy = policies[admitted];
      switch (kinds[admitted]) {
        case FAST_RETRY:
          (policy as unknown as RetryPolicy).enterFast();
          break;
        case FAST_BREAKER: {
          const start = (policy as unknown as CircuitBreaker).enterFast(this.cancelledAt(admitted));
          if (start === undefined) break admit;
          this.breakerStart = start;
          break;
        }
        case FAST_TIMEOUT:
          (policy as unknown as TimeoutPolicy).enterFast(this);
          break;
        case FAST_BULKHEAD:
          if (!(policy as unknown as BulkheadPolicy).tryTakeSlot()) break admit;
          break;
        case FAST_RATE_LIMITER:
          if (!(policy as unknown as RateLimiterPolicy).tryTakeToken()) break admit;
          break;
      }
    }
    let work: unknown;
    try {
      work = admitted === policies.length && this.plan.coversAll ? this.operation(this) : this.plan.steps[admitted](this.contextAt(admitted));
    } catch (error) {
      return this.settleNow(admitted - 1, true, error);
    }
    return this.follow(work, admitted - 1);
  }

  /**
   * Waits for `work` (a value or a promise), then settles the policies from position `from`
   * outward. Without a timeout it returns the promise the caller (or an outer reaction) follows.
   */
  private follow(work: unknown, from: number): unknown {
    if (!isThenable(work)) return this.settleNow(from, false, work);
    const settled = work.then(
      (value) => this.settle(from, false, value),
      (error: unknown) => this.settle(from, true, error),
    );
    return this.plan.timeoutAt < 0 ? settled : undefined;
  }

  /** {@link settle} for an outcome known synchronously (a promise when the caller needs one). */
  private settleNow(from: number, failed: boolean, outcome: unknown): unknown {
    if (this.plan.timeoutAt >= 0) return this.settle(from, failed, outcome);
    try {
      return Promise.resolve(this.settle(from, failed, outcome));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Hands an outcome to the policies at positions `from`…0, innermost first, then to the caller:
   * settles the caller's promise (with a timeout), else returns the value, throws the error, or
   * returns the promise of what a retry went on to do.
   */
  private settle(from: number, failed: boolean, outcome: unknown): unknown {
    const { policies, kinds } = this.plan;
    for (let i = from; i >= 0; i--) {
      const policy = policies[i];
      switch (kinds[i]) {
        case FAST_BULKHEAD:
          (policy as unknown as BulkheadPolicy).releaseSlot();
          break;
        case FAST_BREAKER:
          if (failed) (policy as unknown as CircuitBreaker).failFast(this.breakerStart, outcome, this.contextAt(i));
          else (policy as unknown as CircuitBreaker).succeedFast(this.breakerStart);
          break;
        case FAST_TIMEOUT:
          if (this.inner !== undefined) this.inner.dispose();
          if (this.expired) return undefined; // the policies outside it were told at expiry
          (policy as unknown as TimeoutPolicy).leaveFast(this);
          break;
        case FAST_RETRY: {
          if (!failed) break;
          const rest = (policy as unknown as RetryPolicy).retryAfterFirstFailure(outcome, this.plan.steps[i + 1], this.contextAt(i));
          if (rest === undefined) break; // gave up: the error goes on outward
          return this.follow(rest, i - 1);
        }
      }
    }
    if (this.plan.timeoutAt < 0) {
      if (failed) throw outcome;
      return outcome;
    }
    if (failed) this.rejectCall!(outcome);
    else this.resolveCall!(outcome);
    return undefined;
  }

  /** The context policy `i` runs with off the fast path: the attempt's inside the timeout, else the call's. */
  private contextAt(i: number): Execution {
    const { timeoutAt } = this.plan;
    if (timeoutAt >= 0 && i > timeoutAt) return (this.inner ??= this.attemptExecution());
    return (this.outer ??= Execution.root(this.operation, this.callerSignal));
  }

  /** Whether the context of position `i` was cancelled (without making a context for it). */
  private cancelledAt(i: number): boolean {
    const { timeoutAt } = this.plan;
    if (timeoutAt >= 0 && i > timeoutAt) return this.aborted;
    if (this.outer !== undefined) return this.outer.aborted;
    const caller = this.callerSignal;
    return caller !== undefined && caller.aborted;
  }

  /** The timeout expired (the deadline list already unlinked this call). */
  expire(): void {
    const at = this.plan.timeoutAt;
    const policy = this.plan.policies[at] as unknown as TimeoutPolicy;
    this.expired = true;
    const error = new TimeoutError(policy.timeoutMs);
    this.reason = error;
    if (this.inner !== undefined) this.inner.abort(error);
    policy.emitTimeout();
    // The policies outside hear of it one microtask later, as they would through run(): work that
    // gives up at once on the abort has settled the policies inside by then (a retry finds the
    // bulkhead slot of the attempt it replaces free again).
    queueMicrotask(() => this.settle(at - 1, true, error));
  }
}
