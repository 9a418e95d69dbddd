import type { Clock, TimerHandle } from '../../core/clock.js';
import { TimeoutError } from '../../core/errors.js';
import type { ChatRequest } from '../types.js';
import type { ResolvedRoute } from './resolved-route.js';

const attemptsByError = new WeakMap<object, number>();

/** Remembers how many upstream attempts a request made before it failed with `error` (for its RequestEvent). */
export function noteAttempts(error: unknown, attempts: number): void {
  if (error !== null && typeof error === 'object' && !attemptsByError.has(error)) attemptsByError.set(error, attempts);
}

/** Attempts noted for `error` by {@link noteAttempts} (0 when none). */
export function attemptsOf(error: unknown): number {
  return error !== null && typeof error === 'object' ? (attemptsByError.get(error) ?? 0) : 0;
}

/**
 * The state of one request through the router: its deadline, its signal (the caller's abort or
 * the route's total timeout), attempts made and the last failure. One object per request.
 */
export class RequestRun {
  attempts = 0;
  lastError: unknown = undefined;
  /** Aborts when the caller cancels or the total timeout expires. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: TimerHandle | undefined;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    readonly route: ResolvedRoute,
    readonly request: ChatRequest,
    readonly tenant: string,
    readonly requestId: string,
    /** The caller's signal (for coalesced calls: aborted once every caller has gone). */
    readonly callerSignal: AbortSignal | undefined,
    readonly cacheKey: string | undefined,
    private readonly clock: Clock,
  ) {
    this.signal = this.controller.signal;
    if (callerSignal?.aborted) {
      this.controller.abort(callerSignal.reason);
    } else {
      if (callerSignal !== undefined) {
        this.onCallerAbort = () => this.controller.abort(callerSignal.reason);
        callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
      }
      this.timer = clock.setTimeout(() => {
        this.timer = undefined;
        this.controller.abort(new TimeoutError(route.totalTimeoutMs, `Request exceeded the route's total timeout of ${route.totalTimeoutMs} ms`));
      }, route.totalTimeoutMs);
    }
  }

  /** True when the caller went away (as opposed to the total timeout). */
  get cancelled(): boolean {
    return this.callerSignal?.aborted === true;
  }

  /** Clears the deadline timer and the caller-signal listener. */
  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.onCallerAbort !== undefined) this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}
