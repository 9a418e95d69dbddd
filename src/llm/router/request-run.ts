import { DeadlineNode, type DeadlineList } from '../../core/deadline-list.js';
import { TimeoutError } from '../../core/errors.js';
import type { Exchange } from '../exchange.js';
import type { RequestTrace } from '../tracing/request-trace.js';
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
 * the route's total timeout), attempts made and the last failure. One object per request: it is
 * its own entry in the router's {@link DeadlineList} of total timeouts (no timer per request)
 * and its own listener on the caller's signal (no closure per request).
 */
export class RequestRun<A = unknown, U = unknown> extends DeadlineNode {
  attempts = 0;
  lastError: unknown = undefined;
  /** Fields some deployment's API could not carry (capability-aware routing skipped it). */
  readonly unsupported = new Set<string>();
  /** The first refusal that was the client's error (an invalid field for that API), answered when no deployment can carry the request. */
  refusal: Error | undefined = undefined;
  /** Deployments planned for this request whose API can carry it. */
  carriers = 0;
  /** The request's spans, when a tracer provider records them (undefined otherwise). */
  trace: RequestTrace | undefined = undefined;
  /** Aborts when the caller cancels or the total timeout expires. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private listening = false;

  constructor(
    readonly route: ResolvedRoute,
    readonly exchange: Exchange<A, U>,
    readonly tenant: string,
    readonly requestId: string,
    /** The caller's signal (for coalesced calls: aborted once every caller has gone). */
    readonly callerSignal: AbortSignal | undefined,
    readonly cacheKey: string | undefined,
    /** Where the route's total timeout is scheduled (one list per router). */
    private readonly deadlines: DeadlineList,
  ) {
    super();
    this.signal = this.controller.signal;
    if (callerSignal?.aborted) {
      this.controller.abort(callerSignal.reason);
    } else {
      if (callerSignal !== undefined) {
        callerSignal.addEventListener('abort', this);
        this.listening = true;
      }
      deadlines.add(this, route.totalTimeoutMs);
    }
  }

  /** True when the caller went away (as opposed to the total timeout). */
  get cancelled(): boolean {
    return this.callerSignal?.aborted === true;
  }

  /** @internal The route's total timeout expired (called by the deadline list). */
  expire(): void {
    const ms = this.route.totalTimeoutMs;
    this.controller.abort(new TimeoutError(ms, `Request exceeded the route's total timeout of ${ms} ms`));
  }

  /** @internal The caller's signal aborted (this object is its listener). */
  handleEvent(): void {
    this.controller.abort(this.callerSignal!.reason);
  }

  /** Clears the deadline and the caller-signal listener. */
  dispose(): void {
    this.deadlines.remove(this);
    if (this.listening) {
      this.listening = false;
      this.callerSignal!.removeEventListener('abort', this);
    }
  }
}
