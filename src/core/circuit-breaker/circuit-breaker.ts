import { CancelledError } from '../errors.js';
import type { Disposable, Event } from '../events.js';
import { FAST_BREAKER } from '../fast-call.js';
import type { ExecuteContext, Operation, RunnablePolicy } from '../policy.js';
import { BreakerEvents } from './breaker-events.js';
import { BreakerStateMachine, TICKET_PASS, TICKET_RECORD, UNTIMED } from './breaker-state-machine.js';
import { abortReason, IDLE_CONTEXT, isCancelled } from './call-context.js';
import { OperatorHolds, type OperatorState } from './operator-holds.js';
import { resolveBreakerOptions, type ResolvedBreakerOptions } from './options.js';
import { checkSnapshot, type BreakerSnapshot } from './snapshot.js';
import type {
  BreakerCallEvent, BreakerFailureEvent, BreakerRejectedEvent, BreakerStateChangeEvent, BreakerStateName, CircuitBreakerOptions,
} from './types.js';

/**
 * The circuit breaker policy: stops calling a dependency that keeps failing, then lets a few
 * probes through to learn whether it recovered. Defaults: opens after 5 consecutive failures,
 * stays open 60 s, one probe at a time, one successful probe closes ({@link BREAKER_DEFAULTS}).
 *
 * Hot path: a closed-state call allocates nothing beyond its own promise; the clock is read
 * only when the strategy or a listener needs durations; events are built only when listened to.
 *
 * @example
 * const breaker = new CircuitBreaker({ strategy: new ConsecutiveBreaker(5), openMs: 60_000 });
 * breaker.onStateChange((e) => log(`${e.from} -> ${e.to}: ${e.reason}`));
 * const answer = await breaker.execute(({ signal }) => callProvider(signal), signal);
 */
export class CircuitBreaker implements RunnablePolicy {
  /** @internal See fast-call.ts. */
  readonly fastKind = FAST_BREAKER;
  /** The validated options (defaults filled in). */
  readonly options: ResolvedBreakerOptions;
  readonly name: string;

  private readonly events = new BreakerEvents();
  /** Every transition, local or remote: from, to, reason, time spent in `from`. */
  readonly onStateChange: Event<BreakerStateChangeEvent> = this.events.stateChanges.event;
  /** A call succeeded (or its error was classified `success`). */
  readonly onSuccess: Event<BreakerCallEvent> = this.events.successes.event;
  /** A call failed and the failure was counted. */
  readonly onFailure: Event<BreakerFailureEvent> = this.events.failures.event;
  /** A call failed with an error classified `ignore`, or its caller cancelled it: nothing was counted. */
  readonly onIgnored: Event<BreakerFailureEvent> = this.events.ignored.event;
  /** A call was refused (or, with `metricsOnly`, would have been). */
  readonly onRejected: Event<BreakerRejectedEvent> = this.events.rejections.event;

  private readonly machine: BreakerStateMachine;
  private readonly timed: boolean;
  private readonly unsubscribe: Disposable;
  private readonly holds = new OperatorHolds();
  private readonly applyHolds = (): void => this.machine.applyHolds(this.holds.target);
  private lastContext: ExecuteContext = IDLE_CONTEXT;

  // Settlers of the fast path, bound once so that a call creates no closure.
  private readonly closedOk = (value: unknown): unknown => {
    const { machine } = this;
    if (machine.current === 'closed' && machine.strategy.onSuccess(0, 0)) machine.trip(machine.strategy.tripReason());
    return value;
  };
  private readonly closedError = (error: unknown): never => {
    this.machine.settleError(TICKET_RECORD, UNTIMED, error, IDLE_CONTEXT);
    throw error;
  };

  constructor(options: CircuitBreakerOptions = {}) {
    this.options = resolveBreakerOptions(options);
    this.name = this.options.name;
    this.timed = this.options.strategy.measuresTime !== false;
    this.machine = new BreakerStateMachine(this.options, this.events);
    const { store } = this.options;
    if (this.options.snapshot !== undefined) this.machine.adopt(this.options.snapshot, false);
    else this.machine.adoptStored(store.get(this.name));
    this.unsubscribe = store.subscribe(this.name, (snapshot) => {
      try {
        this.machine.applyRemote(snapshot);
      } catch {
        // A malformed remote snapshot is dropped; the local state stays authoritative.
      }
    });
  }

  /**
   * The current state. Reading it after the open period elapsed moves the breaker to
   * `half-open` (the lazy transition a call would make), so a balancer that skips open
   * breakers sees them become available again.
   */
  get state(): BreakerStateName {
    const { machine } = this;
    if (machine.current === 'open' && this.options.clock.now() >= machine.openUntil) machine.enterHalfOpen();
    return machine.current;
  }

  /**
   * Whether `execute` would run an operation right now (for balancers choosing among
   * deployments): false when isolated, when open and the period has not elapsed, or when
   * half-open with every probe permit taken; always true otherwise and in metrics-only mode
   * (isolation aside). Like {@link state}, it may move an expired open breaker to half-open.
   */
  get permitsCalls(): boolean {
    const state = this.state;
    if (state === 'isolated') return false;
    if (this.options.metricsOnly) return true;
    if (state === 'open') return false;
    return state !== 'half-open' || this.machine.probesInFlight < this.options.halfOpenMaxCalls;
  }

  /** While open: ms until a probe will be allowed; otherwise 0. */
  get retryAfterMs(): number {
    return this.machine.retryAfterMs;
  }

  /**
   * Runs `operation` under the breaker. Rejects with BrokenCircuitError when open (or half-open
   * with every probe permit taken), IsolatedCircuitError when isolated, CancelledError when
   * `signal` is already aborted; otherwise settles exactly as `operation` does (errors are
   * rethrown untouched). A call whose `signal` aborted is never counted. The breaker has no
   * waiting of its own: `signal` is handed to the operation as its context signal.
   */
  execute<T>(operation: Operation<T>, signal?: AbortSignal): Promise<T> {
    if (signal === undefined) return this.run(operation, IDLE_CONTEXT);
    const context = this.lastContext.signal === signal ? this.lastContext : (this.lastContext = { signal, attempt: 1 });
    return this.run(operation, context);
  }

  /**
   * {@link RunnablePolicy} entry used by `pipeline()`: runs `operation` with `context` passed on
   * as it is. Same outcomes as {@link execute}; a call whose context was aborted is not counted.
   */
  run<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    // Fast path: nothing can cancel the call and nobody needs its duration, so the settlers
    // are the two bound once in the constructor.
    if (context === IDLE_CONTEXT && this.machine.current === 'closed' && !this.timed && !this.events.callListeners) {
      let pending: PromiseLike<T> | T;
      try {
        pending = operation(IDLE_CONTEXT);
      } catch (error) {
        this.machine.settleError(TICKET_RECORD, UNTIMED, error, IDLE_CONTEXT);
        return Promise.reject(error);
      }
      return Promise.resolve(pending).then(this.closedOk, this.closedError) as Promise<T>;
    }
    return this.runTracked(operation, context);
  }

  /**
   * @internal A pipeline's fast path: admits a call at once when the circuit is closed and the
   * call was not `cancelled`. Returns its start time (or UNTIMED when nothing needs durations), or
   * undefined to let `run` decide (it rejects, probes, or passes through).
   */
  enterFast(cancelled: boolean): number | undefined {
    if (this.machine.current !== 'closed' || cancelled) return undefined;
    return this.timed || this.events.callListeners ? this.options.clock.now() : UNTIMED;
  }

  /** @internal A call {@link enterFast} admitted succeeded (settled exactly as `run` does). */
  succeedFast(start: number): void {
    this.machine.settleSuccess(TICKET_RECORD, start);
  }

  /** @internal A call {@link enterFast} admitted, run with `context`, failed (settled exactly as `run` does). */
  failFast(start: number, error: unknown, context: ExecuteContext): void {
    this.machine.settleError(TICKET_RECORD, start, error, context);
  }

  /** Forces the circuit open (IsolatedCircuitError) until every handle returned so far is released. The disposer is idempotent. */
  isolate(): Disposable {
    return this.hold('isolated');
  }

  /** Keeps the circuit closed whatever happens (outcomes still emitted) until released. Isolation takes precedence. */
  forceClose(): Disposable {
    return this.hold('forced-closed');
  }

  /** Makes the breaker a pass-through (nothing recorded or emitted) until released. Isolation and forceClose take precedence. */
  disable(): Disposable {
    return this.hold('disabled');
  }

  /** The shared state as plain JSON (see {@link BreakerSnapshot}). */
  toJSON(): BreakerSnapshot {
    return this.machine.toJSON();
  }

  /** Replaces the local state with `snapshot` (validated), emits the change and writes it to the store. */
  restore(snapshot: BreakerSnapshot): void {
    this.machine.adopt(checkSnapshot(snapshot, 'restore(snapshot)'), false);
    this.machine.persist();
  }

  /**
   * Adopts a decision taken elsewhere (a store adapter calls it). Ignored when older than the
   * local state (`changedAt`) or identical to it; never written back to the store.
   * @returns whether the snapshot was applied
   */
  applyRemote(snapshot: BreakerSnapshot): boolean {
    return this.machine.applyRemote(snapshot);
  }

  /** Stops listening to the store; the breaker keeps working on its local state. */
  dispose(): void {
    this.unsubscribe();
  }

  private runTracked<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    if (isCancelled(context)) return Promise.reject(new CancelledError(undefined, { cause: abortReason(context) }));
    let ticket: number;
    try {
      ticket = this.machine.current === 'closed' ? TICKET_RECORD : this.machine.admit();
    } catch (error) {
      return Promise.reject(error);
    }
    if (ticket === TICKET_PASS) return passThrough(operation, context);
    if (ticket > 0 && this.options.probeGate !== undefined) return this.runGatedProbe(operation, context, ticket);
    return this.runAdmitted(operation, context, ticket);
  }

  private async runGatedProbe<T>(operation: Operation<T>, context: ExecuteContext, probeTicket: number): Promise<T> {
    const ticket = await this.gateProbe(probeTicket);
    if (ticket <= 0) return this.runAdmitted(operation, context, ticket); // metrics-only: observed, no permit held
    try {
      return await this.runAdmitted(operation, context, ticket);
    } finally {
      this.releaseProbePermit();
    }
  }

  private async runAdmitted<T>(operation: Operation<T>, context: ExecuteContext, ticket: number): Promise<T> {
    const start = this.timed || this.events.callListeners ? this.options.clock.now() : UNTIMED;
    let result: T;
    try {
      result = await operation(context);
    } catch (error) {
      this.machine.settleError(ticket, start, error, context);
      throw error;
    }
    this.machine.settleSuccess(ticket, start);
    return result;
  }

  /**
   * A probe admitted locally also needs a cluster-wide permit from `probeGate`. Refused: the local
   * slot is given back and the call fails fast (or, metrics-only, runs as an observed call).
   * A gate that throws grants the probe: a broken gate must never stop the breaker healing.
   */
  private async gateProbe(ticket: number): Promise<number> {
    let granted: boolean;
    try {
      granted = await this.options.probeGate!.acquire(this.name, this.options.halfOpenMaxCalls);
    } catch {
      granted = true;
    }
    if (granted) return ticket;
    return this.machine.refuseProbe(ticket);
  }

  private releaseProbePermit(): void {
    try {
      this.options.probeGate!.release(this.name);
    } catch {
      // The gate's contract forbids throwing; its permit expires on its own if one does.
    }
  }

  private hold(state: OperatorState): Disposable {
    return this.holds.acquire(state, this.applyHolds);
  }
}

/** Disabled breaker: the operation runs untouched (a synchronous throw becomes a rejection). */
async function passThrough<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
  return operation(context);
}

/**
 * Builds a {@link CircuitBreaker}; options are validated here, once.
 *
 * @example const breaker = circuitBreaker({ strategy: new CountWindowBreaker({ windowSize: 50 }), openMs: 30_000 });
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreaker(options);
}
