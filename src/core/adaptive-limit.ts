import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { ConcurrencyLimitedError } from './errors.js';
import { EventEmitter } from './events.js';
import { Execution } from './execution.js';
import { checkInteger, checkRatio, invalidOption } from './options.js';
import type { ExecuteContext, Operation, Policy, RunnablePolicy } from './policy.js';

/** Default starting limit: 20. */
export const ADAPTIVE_LIMIT_DEFAULT_INITIAL_LIMIT = 20;
/** Default floor: 1. */
export const ADAPTIVE_LIMIT_DEFAULT_MIN_LIMIT = 1;
/** Default ceiling: 1000. */
export const ADAPTIVE_LIMIT_DEFAULT_MAX_LIMIT = 1000;
/** Default multiplicative decrease on a failure counted as overload: × 0.9. */
export const ADAPTIVE_LIMIT_DEFAULT_BACKOFF_RATIO = 0.9;
/** Default samples after which the no-load RTT is re-measured (so it can follow a slower dependency): 1000. */
export const ADAPTIVE_LIMIT_DEFAULT_PROBE_INTERVAL = 1000;
/** Default priority classes: the share of the limit each may fill. `low` is shed first, above 80 %. */
export const ADAPTIVE_LIMIT_DEFAULT_PRIORITIES: Readonly<Record<string, number>> = Object.freeze({ critical: 1, normal: 1, low: 0.8 });

/** Options of {@link adaptiveLimit}; every field optional, defaults below. */
export interface AdaptiveLimitOptions {
  /** Default {@link ADAPTIVE_LIMIT_DEFAULT_INITIAL_LIMIT}. */
  initialLimit?: number;
  /** Default {@link ADAPTIVE_LIMIT_DEFAULT_MIN_LIMIT}. */
  minLimit?: number;
  /** Default {@link ADAPTIVE_LIMIT_DEFAULT_MAX_LIMIT}. */
  maxLimit?: number;
  /** Limit × this on an overload failure (a timeout, by default). Default {@link ADAPTIVE_LIMIT_DEFAULT_BACKOFF_RATIO}. */
  backoffRatio?: number;
  /** Re-measure the no-load RTT every N samples. Default {@link ADAPTIVE_LIMIT_DEFAULT_PROBE_INTERVAL}. */
  probeInterval?: number;
  /** Which failures mean "overloaded" (shrink the limit). Default: errors named TimeoutError. Others are ignored. */
  isOverload?: (error: unknown) => boolean;
  /** Share of the limit each priority class may fill, in (0, 1]. Default {@link ADAPTIVE_LIMIT_DEFAULT_PRIORITIES}. */
  priorities?: Record<string, number>;
  /** Default `systemClock`. */
  clock?: Clock;
}

/** Emitted when the limit changes. */
export interface LimitChangeEvent {
  limit: number;
  previous: number;
  rttMs: number;
  noLoadRttMs: number;
}

/** Emitted when a call is shed. */
export interface ShedEvent {
  priority: string;
  inFlight: number;
  limit: number;
}

const isTimeout = (error: unknown) => error instanceof Error && error.name === 'TimeoutError';

/**
 * A concurrency limit that finds itself, Vegas-style (after Netflix's concurrency-limits): it
 * keeps the lowest RTT seen as the no-load RTT and estimates the queue building in front of the
 * dependency as `limit × (1 − noLoadRtt / rtt)`. A short queue (≤ α = 3·log10 limit) grows the
 * limit by one; a long one (> β = 6·log10 limit) shrinks it by log10 limit; an overload failure
 * cuts it by `backoffRatio`. Growth happens only while the limit is actually used (in-flight ≥ half
 * of it). Calls above the limit are shed at once with {@link ConcurrencyLimitedError}, never
 * queued: queueing is exactly what the limit exists to prevent.
 *
 * Priority classes share the limit: a `low` call is admitted only while in-flight is below
 * 80 % of the limit (by default), so low-priority work is shed first.
 *
 * @example
 * const limiter = adaptiveLimit({ initialLimit: 10, maxLimit: 200 });
 * const background = limiter.forPriority('low');
 * await limiter.execute(() => callModel());        // priority 'normal'
 * await background.execute(() => summarizeLater()); // shed first under load
 */
export class AdaptiveLimitPolicy implements RunnablePolicy {
  readonly minLimit: number;
  readonly maxLimit: number;
  readonly backoffRatio: number;
  readonly probeInterval: number;
  private readonly isOverload: (error: unknown) => boolean;
  private readonly priorities: Readonly<Record<string, number>>;
  private readonly clock: Clock;
  private estimated: number;
  private running = 0;
  private noLoadRtt = Infinity;
  private samples = 0;
  private readonly limitEmitter = new EventEmitter<LimitChangeEvent>();
  private readonly shedEmitter = new EventEmitter<ShedEvent>();
  /** Subscribe to limit changes. */
  readonly onLimitChange = this.limitEmitter.event;
  /** Subscribe to shed calls. */
  readonly onShed = this.shedEmitter.event;

  constructor(options: AdaptiveLimitOptions = {}) {
    this.minLimit = checkInteger('adaptiveLimit', 'minLimit', options.minLimit ?? ADAPTIVE_LIMIT_DEFAULT_MIN_LIMIT, 1);
    this.maxLimit = checkInteger('adaptiveLimit', 'maxLimit', options.maxLimit ?? ADAPTIVE_LIMIT_DEFAULT_MAX_LIMIT, this.minLimit);
    const initial = checkInteger('adaptiveLimit', 'initialLimit', options.initialLimit ?? Math.min(this.maxLimit, Math.max(this.minLimit, ADAPTIVE_LIMIT_DEFAULT_INITIAL_LIMIT)), 1);
    if (initial < this.minLimit || initial > this.maxLimit) invalidOption('adaptiveLimit', 'initialLimit', `must be within [minLimit, maxLimit] = [${this.minLimit}, ${this.maxLimit}]`, initial);
    this.estimated = initial;
    this.backoffRatio = checkRatio('adaptiveLimit', 'backoffRatio', options.backoffRatio ?? ADAPTIVE_LIMIT_DEFAULT_BACKOFF_RATIO);
    this.probeInterval = checkInteger('adaptiveLimit', 'probeInterval', options.probeInterval ?? ADAPTIVE_LIMIT_DEFAULT_PROBE_INTERVAL, 1, true);
    this.isOverload = options.isOverload ?? isTimeout;
    const priorities = { ...(options.priorities ?? ADAPTIVE_LIMIT_DEFAULT_PRIORITIES) };
    for (const [name, share] of Object.entries(priorities)) checkRatio('adaptiveLimit', `priorities.${name}`, share);
    if (!('normal' in priorities)) priorities.normal = 1;
    this.priorities = Object.freeze(priorities);
    this.clock = options.clock ?? systemClock;
  }

  /** The current limit (whole calls). */
  get limit(): number {
    return Math.floor(this.estimated);
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.running;
  }

  /** The lowest recent RTT, in ms (Infinity before the first sample). */
  get noLoadRttMs(): number {
    return this.noLoadRtt;
  }

  /** A view of this limiter that admits calls as `priority` (a key of `priorities`). */
  forPriority(priority: string): RunnablePolicy {
    const share = this.priorities[priority];
    if (share === undefined) invalidOption('adaptiveLimit', 'priority', `must be one of ${Object.keys(this.priorities).join(', ')}`, priority);
    const execute = <T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> =>
      this.runAs(operation, Execution.root(undefined, signal), priority, share);
    const run = <T>(operation: Operation<T>, context: ExecuteContext): Promise<T> => this.runAs(operation, context, priority, share);
    return Object.freeze({ execute, run }) satisfies Policy;
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.runAs(operation, Execution.root(undefined, signal), 'normal', this.priorities.normal);
  }

  run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    return this.runAs(operation, context, 'normal', this.priorities.normal);
  }

  private async runAs<T>(operation: Operation<T>, context: ExecuteContext, priority: string, share: number): Promise<T> {
    const limit = this.limit;
    const admitted = share >= 1 ? limit : Math.max(1, Math.floor(limit * share));
    if (this.running >= admitted) {
      if (this.shedEmitter.hasListeners) this.shedEmitter.emit({ priority, inFlight: this.running, limit });
      throw new ConcurrencyLimitedError(limit, Number.isFinite(this.noLoadRtt) ? Math.max(1, Math.round(this.noLoadRtt)) : 1000);
    }
    const inFlightAtStart = ++this.running;
    const startedAt = this.clock.now();
    try {
      const value = await operation(context);
      this.onSample(this.clock.now() - startedAt, inFlightAtStart);
      return value;
    } catch (error) {
      if (this.isOverload(error)) this.setLimit(this.estimated * this.backoffRatio, NaN);
      throw error;
    } finally {
      this.running--;
    }
  }

  private onSample(rttMs: number, inFlight: number): void {
    const rtt = rttMs > 0 ? rttMs : 0.001;
    if (++this.samples % this.probeInterval === 0) this.noLoadRtt = rtt; // re-probe: let the floor rise
    else if (rtt < this.noLoadRtt) this.noLoadRtt = rtt;
    const limit = this.estimated;
    const queue = limit * (1 - this.noLoadRtt / rtt);
    const log = Math.max(1, Math.log10(limit));
    if (queue <= 3 * log) {
      // Only grow a limit that is actually being used; an idle service proves nothing.
      if (inFlight * 2 >= limit) this.setLimit(limit + 1, rtt);
    } else if (queue > 6 * log) {
      this.setLimit(limit - log, rtt);
    }
  }

  private setLimit(next: number, rttMs: number): void {
    const previous = this.limit;
    this.estimated = Math.min(this.maxLimit, Math.max(this.minLimit, next));
    if (this.limit !== previous && this.limitEmitter.hasListeners) {
      this.limitEmitter.emit({ limit: this.limit, previous, rttMs, noLoadRttMs: this.noLoadRtt });
    }
  }
}

/**
 * Builds an {@link AdaptiveLimitPolicy}; options are validated here, once.
 *
 * @example const limiter = adaptiveLimit({ initialLimit: 8, clock });
 */
export function adaptiveLimit(options: AdaptiveLimitOptions = {}): AdaptiveLimitPolicy {
  return new AdaptiveLimitPolicy(options);
}
