import type { Clock } from './clock.js';
import { sleep, systemClock } from './clock.js';
import { RateLimitedError } from './errors.js';
import { coarseTimeFor, type TimeSource } from './coarse-time.js';
import { EventEmitter } from './events.js';
import { Execution, invoke } from './execution.js';
import { FAST_RATE_LIMITER } from './fast-call.js';
import { checkNumber, invalidOption } from './options.js';
import type { ExecuteContext, Operation, RunnablePolicy } from './policy.js';

/** Default `maxWaitMs`: 0 (reject at once when no token is left). */
export const RATE_LIMITER_DEFAULT_MAX_WAIT_MS = 0;

/** Options of {@link rateLimiter}: `ratePerSecond` is required. */
export interface RateLimiterOptions {
  /** Tokens added per second (sustained calls per second). Required. */
  ratePerSecond: number;
  /** Bucket size: calls allowed in a burst. Default: `max(1, ratePerSecond)` (one second's worth). */
  burst?: number;
  /** Longest a call may wait for a token; beyond it the call is rejected. Default {@link RATE_LIMITER_DEFAULT_MAX_WAIT_MS}. */
  maxWaitMs?: number;
  /** Default `systemClock`. */
  clock?: Clock;
}

/** Emitted when a call is rejected for want of a token. */
export interface RateLimitedEvent {
  retryAfterMs: number;
}

/**
 * A token bucket: `burst` calls at once, then `ratePerSecond` sustained. A call without a token
 * waits for one (up to `maxWaitMs`, in arrival order, leaving at once if its caller aborts) or is
 * rejected with {@link RateLimitedError} carrying `retryAfterMs` — which a retry policy outside
 * honours as a server hint. Refilled lazily from the clock: no timer unless a call waits.
 *
 * @example
 * const limiter = rateLimiter({ ratePerSecond: 50, burst: 10, maxWaitMs: 200 });
 * await limiter.execute(() => callProvider());
 */
export class RateLimiterPolicy implements RunnablePolicy {
  /** @internal See fast-call.ts. */
  readonly fastKind = FAST_RATE_LIMITER;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxWaitMs: number;
  private readonly clock: Clock;
  private readonly time: TimeSource;
  private tokens: number;
  private lastRefillMs: number;
  private readonly limitedEmitter = new EventEmitter<RateLimitedEvent>();
  /** Subscribe to rejections. */
  readonly onRateLimited = this.limitedEmitter.event;

  constructor(options: RateLimiterOptions) {
    if (options === null || typeof options !== 'object') invalidOption('rateLimiter', 'options', 'must be an object with ratePerSecond', options);
    this.ratePerSecond = checkNumber('rateLimiter', 'ratePerSecond', options.ratePerSecond, Number.MIN_VALUE);
    this.burst = checkNumber('rateLimiter', 'burst', options.burst ?? Math.max(1, this.ratePerSecond), 1);
    this.maxWaitMs = checkNumber('rateLimiter', 'maxWaitMs', options.maxWaitMs ?? RATE_LIMITER_DEFAULT_MAX_WAIT_MS, 0, true);
    this.clock = options.clock ?? systemClock;
    // Refill from coarse time on the system clock (10 ms resolution: tokens arrive up to 10 ms late).
    this.time = coarseTimeFor(this.clock);
    this.tokens = this.burst;
    this.lastRefillMs = this.time.now();
  }

  /** Whole tokens available now (negative while calls wait for reserved tokens). */
  get available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.run(operation, Execution.root(undefined, signal));
  }

  run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    if (this.tryTakeToken()) return invoke(operation, context);
    const waitMs = ((1 - this.tokens) / this.ratePerSecond) * 1000;
    if (waitMs > this.maxWaitMs) {
      if (this.limitedEmitter.hasListeners) this.limitedEmitter.emit({ retryAfterMs: waitMs });
      return Promise.reject(new RateLimitedError(waitMs));
    }
    // Reserve the token now (the balance goes negative), so later callers queue behind us.
    this.tokens -= 1;
    return this.waitThenRun(operation, context, waitMs);
  }

  /** @internal Takes a token if one is there now (a pipeline's fast path; false: `run` waits or rejects). */
  tryTakeToken(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private async waitThenRun<T>(operation: Operation<T>, context: ExecuteContext, waitMs: number): Promise<T> {
    const execution = Execution.from(context);
    const signal = execution.mayAbort ? execution.signal : undefined;
    // The reservation goes back the moment the wait is abandoned, not a promise hop later: a retry
    // that reacts to the same abort must find the token there.
    let reserved = true;
    const giveBack = () => {
      if (reserved) this.tokens += 1;
      reserved = false;
    };
    signal?.addEventListener('abort', giveBack, { once: true });
    try {
      await sleep(this.clock, waitMs, signal);
    } catch (error) {
      giveBack();
      throw error;
    } finally {
      signal?.removeEventListener('abort', giveBack);
    }
    return operation(context);
  }

  private refill(): void {
    const now = this.time.now();
    const elapsed = now - this.lastRefillMs;
    if (elapsed <= 0) return;
    this.lastRefillMs = now;
    const next = this.tokens + (elapsed / 1000) * this.ratePerSecond;
    this.tokens = next > this.burst ? this.burst : next;
  }
}

/**
 * Builds a {@link RateLimiterPolicy}; options are validated here, once.
 *
 * @example const r = rateLimiter({ ratePerSecond: 5, burst: 5, clock });
 */
export function rateLimiter(options: RateLimiterOptions): RateLimiterPolicy {
  return new RateLimiterPolicy(options);
}
