import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { checkNumber, checkRatio } from './options.js';

/** Default share of requests that may be retries: 20 %. */
export const RETRY_BUDGET_DEFAULT_RETRY_RATIO = 0.2;
/** Default floor: retries allowed per second even with little traffic. */
export const RETRY_BUDGET_DEFAULT_MIN_RETRIES_PER_SECOND = 10;
/** Default cap on saved-up retries (bounds a burst after a long healthy spell). */
export const RETRY_BUDGET_DEFAULT_MAX_TOKENS = 100;

/** Options of {@link RetryBudget}; every field optional, defaults below. */
export interface RetryBudgetOptions {
  /** Retries allowed per request, e.g. 0.2 = retries ≤ 20 % of requests. Default {@link RETRY_BUDGET_DEFAULT_RETRY_RATIO}. */
  retryRatio?: number;
  /** Retries always allowed per second, so a quiet service can still retry. Default {@link RETRY_BUDGET_DEFAULT_MIN_RETRIES_PER_SECOND}. */
  minRetriesPerSecond?: number;
  /** Most retries that can be saved up. Default {@link RETRY_BUDGET_DEFAULT_MAX_TOKENS}. */
  maxTokens?: number;
  /** Default `systemClock`. */
  clock?: Clock;
}

/**
 * A retry budget against retry storms (Finagle/Envoy style): each request deposits
 * `retryRatio` of a token, each retry withdraws one, and `minRetriesPerSecond` tokens trickle in
 * with time so low traffic can still retry. When it is empty, retry policies do not retry: the
 * original error surfaces, tagged `BULWARK_ERR_RETRY_BUDGET_EXHAUSTED`. Share one budget between
 * the retry policies that call the same dependency. O(1) per call, no timer.
 *
 * @example
 * const budget = new RetryBudget({ retryRatio: 0.2, minRetriesPerSecond: 5 });
 * const a = retry({ budget }), b = retry({ budget });
 */
export class RetryBudget {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly maxTokens: number;
  private readonly clock: Clock;
  private balance: number;
  private lastRefillMs: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.retryRatio = checkRatio('retryBudget', 'retryRatio', options.retryRatio ?? RETRY_BUDGET_DEFAULT_RETRY_RATIO, true);
    this.minRetriesPerSecond = checkNumber('retryBudget', 'minRetriesPerSecond', options.minRetriesPerSecond ?? RETRY_BUDGET_DEFAULT_MIN_RETRIES_PER_SECOND, 0);
    this.maxTokens = checkNumber('retryBudget', 'maxTokens', options.maxTokens ?? RETRY_BUDGET_DEFAULT_MAX_TOKENS, 1);
    this.clock = options.clock ?? systemClock;
    // Start with one second's floor, so the first failures after start-up can be retried.
    this.balance = Math.min(this.maxTokens, this.minRetriesPerSecond);
    this.lastRefillMs = this.clock.now();
  }

  /** Retries that could be made right now. */
  get available(): number {
    this.refill();
    return Math.floor(this.balance);
  }

  /** Records a new request (a first attempt). */
  recordRequest(): void {
    const next = this.balance + this.retryRatio;
    this.balance = next > this.maxTokens ? this.maxTokens : next;
  }

  /** Takes a token for one retry; false when the budget is exhausted. */
  tryAcquireRetry(): boolean {
    this.refill();
    if (this.balance < 1) return false;
    this.balance -= 1;
    return true;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.lastRefillMs;
    this.lastRefillMs = now;
    if (elapsed > 0 && this.minRetriesPerSecond > 0) {
      this.balance = Math.min(this.maxTokens, this.balance + (elapsed / 1000) * this.minRetriesPerSecond);
    }
  }
}
