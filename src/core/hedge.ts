import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { DeadlineList, DeadlineNode } from './deadline-list.js';
import { CancelledError, HedgeFailedError } from './errors.js';
import { EventEmitter } from './events.js';
import { Execution, invoke } from './execution.js';
import { checkInteger, checkNumber } from './options.js';
import type { ExecuteContext, Operation, RunnablePolicy } from './policy.js';

/** Default `delayMs` before a hedged attempt: 2 s (set it near your p95 latency). */
export const HEDGE_DEFAULT_DELAY_MS = 2_000;
/** Default `maxHedges`: 1 extra attempt. */
export const HEDGE_DEFAULT_MAX_HEDGES = 1;

/** Options of {@link hedge}; every field optional, defaults below. */
export interface HedgeOptions {
  /** Wait before starting each extra attempt. Default {@link HEDGE_DEFAULT_DELAY_MS}. */
  delayMs?: number;
  /** Extra attempts at most (so up to `maxHedges + 1` in flight). Default {@link HEDGE_DEFAULT_MAX_HEDGES}. */
  maxHedges?: number;
  /** Default `systemClock`. */
  clock?: Clock;
}

/** Emitted when an extra attempt starts. */
export interface HedgeEvent {
  /** The attempt number being started (2 = the first hedge). */
  attempt: number;
  /** `'delay'`: the previous attempt was slow; `'failure'`: it failed before the delay. */
  trigger: 'delay' | 'failure';
}

class HedgedCall<T> extends DeadlineNode {
  readonly attempts: Execution[] = [];
  failed = 0;
  done = false;
  lastError: unknown = undefined;
  onParentAbort: (() => void) | undefined = undefined;
  parentSignal: AbortSignal | undefined = undefined;
  constructor(
    readonly policy: HedgePolicy,
    readonly parent: Execution,
    readonly operation: Operation<T>,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
  ) {
    super();
  }

  /** The hedge delay passed with no winner yet. */
  expire(): void {
    if (!this.done) this.policy.launchNext(this, 'delay');
  }
}

/**
 * Tail-latency insurance: when an attempt is slower than `delayMs`, start another (up to
 * `maxHedges`) and take the first success; the losers are aborted through their signals. An
 * attempt that fails before the delay starts the next one at once. When every attempt fails the
 * call rejects with {@link HedgeFailedError} whose `cause` is the last failure.
 *
 * @example
 * const h = hedge({ delayMs: 800, maxHedges: 1 });
 * const reply = await h.execute(({ signal }) => provider.chat(request, { signal }));
 */
export class HedgePolicy implements RunnablePolicy {
  readonly delayMs: number;
  readonly maxHedges: number;
  private readonly delays: DeadlineList;
  private readonly hedgeEmitter = new EventEmitter<HedgeEvent>();
  /** Subscribe to extra attempts. */
  readonly onHedge = this.hedgeEmitter.event;

  constructor(options: HedgeOptions = {}) {
    this.delayMs = checkNumber('hedge', 'delayMs', options.delayMs ?? HEDGE_DEFAULT_DELAY_MS, 0);
    this.maxHedges = checkInteger('hedge', 'maxHedges', options.maxHedges ?? HEDGE_DEFAULT_MAX_HEDGES, 0);
    // The hedge delays of all calls share one timer.
    this.delays = new DeadlineList(options.clock ?? systemClock);
    Object.freeze(this);
  }

  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    return this.run(operation, Execution.root(undefined, signal));
  }

  run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    const parent = Execution.from(context);
    if (parent.aborted) return Promise.reject(parent.abortReason);
    return new Promise<T>((resolve, reject) => {
      const call = new HedgedCall(this, parent, operation, resolve, reject);
      if (this.maxHedges > 0 && parent.mayAbort) {
        // Stop every attempt at once when the caller gives up (skipped when nothing can abort it).
        const signal = parent.signal;
        call.parentSignal = signal;
        call.onParentAbort = () => this.finish(call, false, signal.reason);
        signal.addEventListener('abort', call.onParentAbort, { once: true });
      }
      this.launchNext(call, 'delay');
    });
  }

  /** @internal */
  launchNext<T>(call: HedgedCall<T>, trigger: HedgeEvent['trigger']): void {
    const attempt = call.parent.child(call.attempts.length + 1);
    call.attempts.push(attempt);
    if (attempt.attempt > 1 && this.hedgeEmitter.hasListeners) this.hedgeEmitter.emit({ attempt: attempt.attempt, trigger });
    if (call.attempts.length <= this.maxHedges) this.delays.add(call, this.delayMs);
    invoke(call.operation, attempt).then(
      (value) => {
        if (!call.done) this.finish(call, true, value, attempt);
      },
      (error: unknown) => {
        attempt.dispose();
        if (call.done) return;
        call.failed++;
        call.lastError = error;
        if (call.attempts.length <= this.maxHedges) {
          this.delays.remove(call);
          this.launchNext(call, 'failure');
        } else if (call.failed === call.attempts.length) {
          this.finish(call, false, new HedgeFailedError(call.attempts.length, { cause: error }));
        }
      },
    );
  }

  private finish<T>(call: HedgedCall<T>, ok: boolean, outcome: unknown, winner?: Execution): void {
    call.done = true;
    this.delays.remove(call);
    if (call.onParentAbort !== undefined) call.parentSignal!.removeEventListener('abort', call.onParentAbort);
    for (const attempt of call.attempts) {
      if (attempt !== winner) attempt.abort(ok ? new CancelledError('Another hedged attempt won') : outcome);
      attempt.dispose();
    }
    if (ok) call.resolve(outcome as T);
    else call.reject(outcome);
  }
}

/**
 * Builds a {@link HedgePolicy}; options are validated here, once.
 *
 * @example const h = hedge({ delayMs: 500, maxHedges: 2, clock });
 */
export function hedge(options: HedgeOptions = {}): HedgePolicy {
  return new HedgePolicy(options);
}
