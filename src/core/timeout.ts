import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { type DeadlineEntry, DeadlineList, DeadlineNode } from './deadline-list.js';
import { TimeoutError } from './errors.js';
import { EventEmitter } from './events.js';
import { Execution } from './execution.js';
import { FAST_TIMEOUT } from './fast-call.js';
import { checkNumber } from './options.js';
import type { ExecuteContext, Operation, RunnablePolicy } from './policy.js';

/** Default `timeoutMs`: 30 s. */
export const TIMEOUT_DEFAULT_MS = 30_000;

/** Options of {@link timeout}. */
export interface TimeoutOptions {
  /** Milliseconds before the work is aborted and the call rejects with TimeoutError. Default {@link TIMEOUT_DEFAULT_MS}. */
  timeoutMs?: number;
  /**
   * Default `systemClock` (its timers are unref'd: a pending timeout never keeps Node alive). On
   * the system clock deadlines have 10 ms resolution (never early, up to ~10 ms late); on any
   * other clock (FakeClock) they are exact.
   */
  clock?: Clock;
}

/** Emitted when a call times out. */
export interface TimeoutEvent {
  timeoutMs: number;
}

class TimedCall<T> extends DeadlineNode {
  settled = false;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  constructor(
    readonly context: Execution,
    readonly policy: TimeoutPolicy,
  ) {
    super();
  }

  expire(): void {
    if (this.settled) return;
    this.settled = true;
    const error = new TimeoutError(this.policy.timeoutMs);
    this.context.abort(error);
    this.policy.emitTimeout();
    this.reject(error);
  }
}

/**
 * Bounds how long the work may take. On expiry the call rejects with {@link TimeoutError} and the
 * work's `context.signal` aborts with that same error. The same policy is a per-attempt timeout
 * inside a retry, or an overall timeout outside it. Deadlines share one clock timer per policy
 * (see DeadlineList), so a call costs no setTimeout.
 *
 * @example
 * const perAttempt = timeout({ timeoutMs: 10_000 });
 * await perAttempt.execute(({ signal }) => fetch(url, { signal }));
 */
export class TimeoutPolicy implements RunnablePolicy {
  /** @internal See fast-call.ts. */
  readonly fastKind = FAST_TIMEOUT;
  readonly timeoutMs: number;
  private readonly deadlines: DeadlineList;
  private readonly timeoutEmitter = new EventEmitter<TimeoutEvent>();
  /** Subscribe to timeouts. */
  readonly onTimeout = this.timeoutEmitter.event;

  constructor(options: TimeoutOptions = {}) {
    this.timeoutMs = checkNumber('timeout', 'timeoutMs', options.timeoutMs ?? TIMEOUT_DEFAULT_MS, 0);
    this.deadlines = new DeadlineList(options.clock ?? systemClock);
    Object.freeze(this);
  }

  /** Calls waiting for their deadline right now. */
  get pending(): number {
    return this.deadlines.size;
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.run(operation, Execution.root(undefined, signal));
  }

  run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    const call = new TimedCall<T>(Execution.from(context).child(), this);
    return new Promise<T>((resolve, reject) => {
      call.resolve = resolve;
      call.reject = reject;
      this.deadlines.add(call, this.timeoutMs);
      let work: PromiseLike<T> | T;
      try {
        work = operation(call.context);
      } catch (error) {
        this.settle(call);
        reject(error);
        return;
      }
      Promise.resolve(work).then(
        (value) => {
          if (this.settle(call)) resolve(value);
        },
        (error: unknown) => {
          if (this.settle(call)) reject(error);
        },
      );
    });
  }

  /** @internal A pipeline's fast path: `call` (its own deadline entry) expires in `timeoutMs`. */
  enterFast(call: DeadlineEntry): void {
    this.deadlines.add(call, this.timeoutMs);
  }

  /** @internal The call settled in time. */
  leaveFast(call: DeadlineEntry): void {
    this.deadlines.remove(call);
  }

  private settle<T>(call: TimedCall<T>): boolean {
    call.context.dispose();
    if (call.settled) return false;
    call.settled = true;
    this.deadlines.remove(call);
    return true;
  }

  /** @internal */
  emitTimeout(): void {
    if (this.timeoutEmitter.hasListeners) this.timeoutEmitter.emit({ timeoutMs: this.timeoutMs });
  }
}

/**
 * Builds a {@link TimeoutPolicy}. Options are validated here, once.
 *
 * @example const t = timeout({ timeoutMs: 5_000, clock });
 */
export function timeout(options: TimeoutOptions = {}): TimeoutPolicy {
  return new TimeoutPolicy(options);
}
