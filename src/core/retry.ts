import type { Backoff } from './backoff.js';
import { exponentialBackoff } from './backoff.js';
import type { Clock } from './clock.js';
import { sleep, systemClock } from './clock.js';
import { CancelledError, InvalidOptionsError, IsolatedCircuitError, tagError } from './errors.js';
import { EventEmitter } from './events.js';
import { Execution } from './execution.js';
import { FAST_RETRY, type Step } from './fast-call.js';
import { checkFunction, checkInteger, checkNumber } from './options.js';
import type { ExecuteContext, Operation, RunnablePolicy } from './policy.js';
import type { RandomSource } from './random.js';
import { defaultRandom } from './random.js';
import { retryAfterHintMs } from './retry-after.js';
import type { RetryBudget } from './retry-budget.js';

/** Default `maxAttempts`: 3 attempts in total (the first call + 2 retries). */
export const RETRY_DEFAULT_MAX_ATTEMPTS = 3;
/** Default cap on any backoff delay: 30 s. */
export const RETRY_DEFAULT_MAX_DELAY_MS = 30_000;
/** Default largest server hint (Retry-After) the policy will wait for: 60 s; longer means give up at once. */
export const RETRY_DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * Default predicate: retry anything except cancellations, aborts, invalid options and an
 * operator-isolated circuit — errors that a second attempt cannot fix.
 */
export function defaultShouldRetry(error: unknown): boolean {
  if (error instanceof CancelledError || error instanceof InvalidOptionsError || error instanceof IsolatedCircuitError) return false;
  return !(error instanceof Error && error.name === 'AbortError');
}

/** Options of {@link retry}; every field optional, defaults below. */
export interface RetryOptions {
  /**
   * Attempts IN TOTAL, the first call included: `maxAttempts: 3` = 1 call + at most 2 retries;
   * `1` disables retrying. (Not a count of retries.) Default {@link RETRY_DEFAULT_MAX_ATTEMPTS}.
   */
  maxAttempts?: number;
  /** Delay before each retry. Default `exponentialBackoff()` (100 ms base, ×2, full jitter). */
  backoff?: Backoff;
  /** Cap on any backoff delay (server hints may exceed it). Default {@link RETRY_DEFAULT_MAX_DELAY_MS}. */
  maxDelayMs?: number;
  /** Which failures to retry; `attempt` is the attempt that just failed. Default {@link defaultShouldRetry}. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /**
   * Give up at once when a server hint (`retryAfterMs` / Retry-After on the error) asks for more
   * than this. Default {@link RETRY_DEFAULT_MAX_RETRY_AFTER_MS}.
   */
  maxRetryAfterMs?: number;
  /** Shared retry budget; no budget = unlimited. */
  budget?: RetryBudget;
  /** Default `systemClock`. */
  clock?: Clock;
  /** Jitter source. Default `Math.random`. */
  random?: RandomSource;
}

/** Emitted before each retry's wait. */
export interface RetryEvent {
  /** The attempt that failed (1-based); the next one is `attempt + 1`. */
  attempt: number;
  delayMs: number;
  error: unknown;
}

/** Why the policy stopped retrying. */
export type GiveUpReason = 'max-attempts' | 'not-retryable' | 'budget-exhausted' | 'retry-after-too-long' | 'cancelled';

/** Emitted when the policy surfaces a failure instead of retrying. */
export interface GiveUpEvent {
  attempts: number;
  reason: GiveUpReason;
  error: unknown;
}

/**
 * Runs the work again after failures. Each attempt gets its own context (`ctx.attempt` is
 * 1-based; `ctx.signal` is that attempt's own signal, linked to the caller's). The wait between
 * attempts is the backoff delay, at least any server hint the error carries, and stops at once
 * when the caller aborts (rejecting with the abort reason).
 *
 * @example
 * const policy = retry({ maxAttempts: 4, backoff: exponentialBackoff({ initialDelayMs: 200 }), budget });
 * policy.onRetry(({ attempt, delayMs }) => log.warn({ attempt, delayMs }, 'retrying'));
 * await policy.execute(({ signal, attempt }) => callProvider(signal, attempt));
 */
export class RetryPolicy implements RunnablePolicy {
  /** @internal See fast-call.ts. */
  readonly fastKind = FAST_RETRY;
  readonly maxAttempts: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  private readonly backoff: Backoff;
  private readonly shouldRetry: (error: unknown, attempt: number) => boolean;
  private readonly budget: RetryBudget | undefined;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly retryEmitter = new EventEmitter<RetryEvent>();
  private readonly giveUpEmitter = new EventEmitter<GiveUpEvent>();
  /** Subscribe to retries (before each wait). */
  readonly onRetry = this.retryEmitter.event;
  /** Subscribe to give-ups (the error is about to surface). */
  readonly onGiveUp = this.giveUpEmitter.event;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = checkInteger('retry', 'maxAttempts', options.maxAttempts ?? RETRY_DEFAULT_MAX_ATTEMPTS, 1, true);
    this.maxDelayMs = checkNumber('retry', 'maxDelayMs', options.maxDelayMs ?? RETRY_DEFAULT_MAX_DELAY_MS, 0);
    this.maxRetryAfterMs = checkNumber('retry', 'maxRetryAfterMs', options.maxRetryAfterMs ?? RETRY_DEFAULT_MAX_RETRY_AFTER_MS, 0, true);
    this.backoff = options.backoff ?? exponentialBackoff();
    checkFunction('retry', 'backoff.delayMs', (this.backoff as Partial<Backoff>).delayMs);
    this.shouldRetry = checkFunction('retry', 'shouldRetry', options.shouldRetry ?? defaultShouldRetry);
    if (options.budget !== undefined) checkFunction('retry', 'budget.tryAcquireRetry', options.budget.tryAcquireRetry);
    this.budget = options.budget;
    this.clock = options.clock ?? systemClock;
    this.random = checkFunction('retry', 'random', options.random ?? defaultRandom);
    Object.freeze(this);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.run(operation, Execution.root(undefined, signal));
  }

  run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    const parent = Execution.from(context);
    this.budget?.recordRequest();
    return this.attemptFrom(1, 0, operation, parent);
  }

  /** @internal A pipeline's fast path runs the first attempt itself, with the caller's context. */
  enterFast(): void {
    this.budget?.recordRequest();
  }

  /**
   * @internal The fast path's first attempt (run with `parent` itself) failed with `error`: the
   * remaining attempts, run through `step` after the backoff, or undefined when the policy gives
   * up at once (the error surfaces as it is).
   */
  retryAfterFirstFailure(error: unknown, step: Step, parent: Execution): Promise<unknown> | undefined {
    const delayMs = this.delayBeforeRetry(error, 1, 0, parent);
    if (delayMs < 0) return undefined;
    return this.attemptFrom(2, delayMs, step, parent);
  }

  /** Attempts `first`, `first + 1`… (each after the wait `previousDelayMs` the last failure chose). */
  private async attemptFrom<T>(first: number, previousDelayMs: number, operation: Operation<T>, parent: Execution): Promise<T> {
    for (let attempt = first; ; attempt++) {
      if (attempt > 1 && (previousDelayMs > 0 || parent.aborted)) await sleep(this.clock, previousDelayMs, parent.mayAbort ? parent.signal : undefined);
      const child = parent.child(attempt, undefined, false);
      try {
        return await operation(child);
      } catch (error) {
        previousDelayMs = this.delayBeforeRetry(error, attempt, previousDelayMs, parent);
        if (previousDelayMs < 0) throw error;
      } finally {
        child.dispose();
      }
    }
  }

  /** The delay before the next attempt (after emitting the retry), or -1 to give up (after emitting give-up and tagging). */
  private delayBeforeRetry(error: unknown, attempt: number, previousDelayMs: number, parent: Execution): number {
    let reason: GiveUpReason | undefined;
    let delayMs = 0;
    if (parent.aborted) reason = 'cancelled';
    else if (attempt >= this.maxAttempts) reason = 'max-attempts';
    else if (!this.shouldRetry(error, attempt)) reason = 'not-retryable';
    else {
      const hint = retryAfterHintMs(error, this.clock.now());
      if (hint !== undefined && hint > this.maxRetryAfterMs) reason = 'retry-after-too-long';
      else if (this.budget !== undefined && !this.budget.tryAcquireRetry()) {
        reason = 'budget-exhausted';
        tagError(error, 'BULWARK_ERR_RETRY_BUDGET_EXHAUSTED');
      } else {
        delayMs = Math.min(this.maxDelayMs, Math.max(0, this.backoff.delayMs(attempt, previousDelayMs, this.random)));
        if (hint !== undefined && hint > delayMs) delayMs = hint;
      }
    }
    if (reason === undefined) {
      if (this.retryEmitter.hasListeners) this.retryEmitter.emit({ attempt, delayMs, error });
      return delayMs;
    }
    if (this.giveUpEmitter.hasListeners) this.giveUpEmitter.emit({ attempts: attempt, reason, error });
    return -1;
  }
}

/**
 * Builds a {@link RetryPolicy}; options are validated here, once.
 *
 * @example const r = retry({ maxAttempts: 3, clock, random: seededRandom(1) });
 */
export function retry(options: RetryOptions = {}): RetryPolicy {
  return new RetryPolicy(options);
}
