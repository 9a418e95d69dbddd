import type { Clock } from '../clock.js';
import { BrokenCircuitError, CancelledError, IsolatedCircuitError } from '../errors.js';
import { EventEmitter, type Disposable, type Event } from '../events.js';
import { FAST_BREAKER } from '../fast-call.js';
import type { ExecuteContext, Operation, RunnablePolicy } from '../policy.js';
import { abortReason, IDLE_CONTEXT, isCancelled } from './call-context.js';
import { isOperatorState, OperatorHolds, type OperatorState } from './operator-holds.js';
import { resolveBreakerOptions, type ResolvedBreakerOptions } from './options.js';
import { checkSnapshot, type BreakerSnapshot } from './snapshot.js';
import type { TripStrategy } from './trip-strategy.js';
import type {
  BreakerCallEvent, BreakerFailureEvent, BreakerRejectedEvent, BreakerStateChangeEvent, BreakerStateName,
  CircuitBreakerOptions, ErrorClassification,
} from './types.js';

// What a call was admitted as. Probes carry their half-open generation (>= 1) instead.
const TICKET_RECORD = -1; // closed: the outcome goes to the trip strategy
const TICKET_OBSERVE = -2; // forced-closed, or metrics-only overflow: events only
const TICKET_PASS = -3; // disabled: nothing at all
/** `start` of a call whose duration nobody needs (the clock was not read). */
const UNTIMED = -1;

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

  private readonly stateChanges = new EventEmitter<BreakerStateChangeEvent>();
  private readonly successes = new EventEmitter<BreakerCallEvent>();
  private readonly failures = new EventEmitter<BreakerFailureEvent>();
  private readonly ignored = new EventEmitter<BreakerFailureEvent>();
  private readonly rejections = new EventEmitter<BreakerRejectedEvent>();
  /** Every transition, local or remote: from, to, reason, time spent in `from`. */
  readonly onStateChange: Event<BreakerStateChangeEvent> = this.stateChanges.event;
  /** A call succeeded (or its error was classified `success`). */
  readonly onSuccess: Event<BreakerCallEvent> = this.successes.event;
  /** A call failed and the failure was counted. */
  readonly onFailure: Event<BreakerFailureEvent> = this.failures.event;
  /** A call failed with an error classified `ignore`, or its caller cancelled it: nothing was counted. */
  readonly onIgnored: Event<BreakerFailureEvent> = this.ignored.event;
  /** A call was refused (or, with `metricsOnly`, would have been). */
  readonly onRejected: Event<BreakerRejectedEvent> = this.rejections.event;

  private readonly clock: Clock;
  private readonly strategy: TripStrategy;
  private readonly timed: boolean;
  private readonly unsubscribe: Disposable;

  private current: BreakerStateName = 'closed';
  private changedAt: number;
  private reason = 'initial';
  private openUntil = 0;
  private consecutiveTrips = 0;
  private halfOpenGeneration = 0;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  private readonly holds = new OperatorHolds();
  private readonly applyHolds = (): void => {
    const target = this.holds.target;
    if (target !== null) {
      if (this.current !== target) this.transition(target, this.clock.now(), `${target} by operator`);
    } else if (isOperatorState(this.current)) {
      this.close('released by operator');
    }
  };
  private lastContext: ExecuteContext = IDLE_CONTEXT;

  // Settlers of the fast path, bound once so that a call creates no closure.
  private readonly closedOk = (value: unknown): unknown => {
    if (this.current === 'closed' && this.strategy.onSuccess(0, 0)) this.trip(this.strategy.tripReason());
    return value;
  };
  private readonly closedError = (error: unknown): never => {
    this.settleError(TICKET_RECORD, UNTIMED, error, IDLE_CONTEXT);
    throw error;
  };

  constructor(options: CircuitBreakerOptions = {}) {
    this.options = resolveBreakerOptions(options);
    this.name = this.options.name;
    this.clock = this.options.clock;
    this.strategy = this.options.strategy;
    this.timed = this.strategy.measuresTime !== false;
    this.changedAt = this.clock.now();
    const { store } = this.options;
    if (this.options.snapshot !== undefined) this.adopt(this.options.snapshot, false);
    else this.adoptStored(store.get(this.name));
    this.unsubscribe = store.subscribe(this.name, (snapshot) => {
      try {
        this.applyRemote(snapshot);
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
    if (this.current === 'open' && this.clock.now() >= this.openUntil) this.enterHalfOpen();
    return this.current;
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
    return state !== 'half-open' || this.probesInFlight < this.options.halfOpenMaxCalls;
  }

  /** While open: ms until a probe will be allowed; otherwise 0. */
  get retryAfterMs(): number {
    return this.current === 'open' ? Math.max(0, this.openUntil - this.clock.now()) : 0;
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
    if (context === IDLE_CONTEXT && this.current === 'closed' && !this.timed && !this.callListeners()) {
      let pending: PromiseLike<T> | T;
      try {
        pending = operation(IDLE_CONTEXT);
      } catch (error) {
        this.settleError(TICKET_RECORD, UNTIMED, error, IDLE_CONTEXT);
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
    if (this.current !== 'closed' || cancelled) return undefined;
    return this.timed || this.callListeners() ? this.clock.now() : UNTIMED;
  }

  /** @internal A call {@link enterFast} admitted succeeded (settled exactly as `run` does). */
  succeedFast(start: number): void {
    this.settleSuccess(TICKET_RECORD, start);
  }

  /** @internal A call {@link enterFast} admitted, run with `context`, failed (settled exactly as `run` does). */
  failFast(start: number, error: unknown, context: ExecuteContext): void {
    this.settleError(TICKET_RECORD, start, error, context);
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
    return {
      version: 1,
      state: this.current,
      reason: this.reason,
      changedAt: this.changedAt,
      openUntil: this.current === 'open' ? this.openUntil : null,
      consecutiveTrips: this.consecutiveTrips,
    };
  }

  /** Replaces the local state with `snapshot` (validated), emits the change and writes it to the store. */
  restore(snapshot: BreakerSnapshot): void {
    this.adopt(checkSnapshot(snapshot, 'restore(snapshot)'), false);
    this.persist();
  }

  /**
   * Adopts a decision taken elsewhere (a store adapter calls it). Ignored when older than the
   * local state (`changedAt`) or identical to it; never written back to the store.
   * @returns whether the snapshot was applied
   */
  applyRemote(snapshot: BreakerSnapshot): boolean {
    const s = checkSnapshot(snapshot, 'applyRemote(snapshot)');
    if (s.changedAt < this.changedAt) return false;
    if (s.state === this.current && s.changedAt === this.changedAt && s.openUntil === this.toJSON().openUntil) return false;
    this.adopt(s, true);
    return true;
  }

  /** Stops listening to the store; the breaker keeps working on its local state. */
  dispose(): void {
    this.unsubscribe();
  }

  private callListeners(): boolean {
    return this.successes.hasListeners || this.failures.hasListeners || this.ignored.hasListeners;
  }

  private runTracked<T>(operation: Operation<T>, context: ExecuteContext): Promise<T> {
    if (isCancelled(context)) return Promise.reject(new CancelledError(undefined, { cause: abortReason(context) }));
    let ticket: number;
    try {
      ticket = this.current === 'closed' ? TICKET_RECORD : this.admit();
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
    const start = this.timed || this.callListeners() ? this.clock.now() : UNTIMED;
    let result: T;
    try {
      result = await operation(context);
    } catch (error) {
      this.settleError(ticket, start, error, context);
      throw error;
    }
    this.settleSuccess(ticket, start);
    return result;
  }

  private admit(): number {
    switch (this.current) {
      case 'open': {
        const remainingMs = this.openUntil - this.clock.now();
        if (remainingMs > 0) return this.reject(remainingMs);
        this.enterHalfOpen();
        return this.admitProbe();
      }
      case 'half-open':
        return this.admitProbe();
      case 'isolated':
        if (this.rejections.hasListeners) this.rejections.emit({ name: this.name, state: 'isolated', retryAfterMs: undefined, enforced: true });
        throw new IsolatedCircuitError(`Circuit "${this.name}" is isolated by an operator; the call was not attempted`);
      case 'forced-closed':
        return TICKET_OBSERVE;
      case 'disabled':
        return TICKET_PASS;
      default:
        return TICKET_RECORD;
    }
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
    if (ticket === this.halfOpenGeneration && this.current === 'half-open') this.probesInFlight--;
    return this.reject(this.retryAfterMs || undefined);
  }

  private releaseProbePermit(): void {
    try {
      this.options.probeGate!.release(this.name);
    } catch {
      // The gate's contract forbids throwing; its permit expires on its own if one does.
    }
  }

  private admitProbe(): number {
    if (this.probesInFlight < this.options.halfOpenMaxCalls) {
      this.probesInFlight++;
      return this.halfOpenGeneration;
    }
    return this.reject(undefined);
  }

  private reject(retryAfterMs: number | undefined): number {
    const enforced = !this.options.metricsOnly;
    if (this.rejections.hasListeners) this.rejections.emit({ name: this.name, state: this.current, retryAfterMs, enforced });
    if (enforced) throw new BrokenCircuitError(`Circuit "${this.name}" is ${this.current}; the call was not attempted`, retryAfterMs);
    return TICKET_OBSERVE;
  }

  private settleSuccess(ticket: number, start: number): void {
    const now = start === UNTIMED ? 0 : this.clock.now();
    const durationMs = now - (start === UNTIMED ? 0 : start);
    if (ticket === TICKET_RECORD) {
      if (this.current === 'closed' && this.strategy.onSuccess(durationMs, now)) this.trip(this.strategy.tripReason());
    } else if (ticket > 0) {
      this.settleProbe(ticket, durationMs < this.strategy.slowCallDurationMs, durationMs);
    }
    if (this.successes.hasListeners) this.successes.emit({ name: this.name, state: this.current, durationMs });
  }

  private settleError(ticket: number, start: number, error: unknown, context: ExecuteContext): void {
    let classification: ErrorClassification = 'ignore';
    if (context === IDLE_CONTEXT || !isCancelled(context)) {
      try {
        classification = this.options.classifyError(error);
      } catch {
        classification = 'failure';
      }
    }
    if (classification === 'success') return this.settleSuccess(ticket, start);
    const now = start === UNTIMED ? 0 : this.clock.now();
    const durationMs = now - (start === UNTIMED ? 0 : start);
    if (classification === 'failure') {
      if (ticket === TICKET_RECORD) {
        if (this.current === 'closed' && this.strategy.onFailure(durationMs, now)) this.trip(this.strategy.tripReason());
      } else if (ticket > 0) {
        this.settleProbe(ticket, false, durationMs);
      }
      if (this.failures.hasListeners) this.failures.emit({ name: this.name, state: this.current, durationMs, error });
      return;
    }
    if (ticket > 0 && ticket === this.halfOpenGeneration && this.current === 'half-open') this.probesInFlight--;
    if (this.ignored.hasListeners) this.ignored.emit({ name: this.name, state: this.current, durationMs, error });
  }

  private settleProbe(ticket: number, ok: boolean, durationMs: number): void {
    // A probe admitted in an earlier half-open period no longer speaks for the dependency.
    if (ticket !== this.halfOpenGeneration || this.current !== 'half-open') return;
    this.probesInFlight--;
    if (!ok) {
      this.trip(durationMs >= this.strategy.slowCallDurationMs ? `slow probe (${durationMs} ms)` : 'probe failed');
    } else if (++this.probeSuccesses >= this.options.halfOpenSuccessThreshold) {
      this.close(`${this.probeSuccesses} successful probe(s)`);
    }
  }

  private trip(reason: string): void {
    const { openMs, openBackoffMultiplier, maxOpenMs, openJitterRatio, random } = this.options;
    const now = this.clock.now();
    this.consecutiveTrips++;
    const grown = Math.min(maxOpenMs, openMs * openBackoffMultiplier ** (this.consecutiveTrips - 1));
    const jitter = openJitterRatio === 0 ? 1 : 1 + openJitterRatio * (2 * random() - 1);
    this.openUntil = now + Math.round(grown * jitter);
    this.strategy.reset(now);
    this.transition('open', now, reason);
  }

  private close(reason: string): void {
    const now = this.clock.now();
    this.consecutiveTrips = 0;
    this.strategy.reset(now);
    this.transition('closed', now, reason);
  }

  private enterHalfOpen(): void {
    this.halfOpenGeneration++;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.transition('half-open', this.clock.now(), 'open period elapsed');
  }

  private transition(to: BreakerStateName, now: number, reason: string): void {
    const from = this.current;
    const durationMs = now - this.changedAt;
    this.current = to;
    this.changedAt = now;
    this.reason = reason;
    this.persist();
    if (this.stateChanges.hasListeners) {
      this.stateChanges.emit({ name: this.name, from, to, reason, at: now, durationMs, openUntil: to === 'open' ? this.openUntil : null, remote: false });
    }
  }

  private persist(): void {
    try {
      const pending = this.options.store.set(this.name, this.toJSON());
      if (pending !== undefined) pending.then(undefined, () => {});
    } catch {
      // The store contract forbids throwing; if one does, the local decision still stands.
    }
  }

  /** A corrupt stored value must not stop the process from starting: it starts closed instead. */
  private adoptStored(stored: BreakerSnapshot | undefined): void {
    if (stored === undefined) return;
    let valid: BreakerSnapshot;
    try {
      valid = checkSnapshot(stored, `store snapshot "${this.name}"`);
    } catch {
      return;
    }
    this.adopt(valid, false);
  }

  private adopt(s: BreakerSnapshot, remote: boolean): void {
    const now = this.clock.now();
    const from = this.current;
    const durationMs = now - this.changedAt;
    this.consecutiveTrips = s.consecutiveTrips;
    this.openUntil = s.openUntil ?? 0;
    if (s.state === 'half-open') {
      this.halfOpenGeneration++;
      this.probesInFlight = 0;
      this.probeSuccesses = 0;
    }
    if (s.state !== from) this.strategy.reset(now);
    this.current = s.state;
    this.changedAt = s.changedAt;
    this.reason = s.reason;
    if (s.state !== from && this.stateChanges.hasListeners) {
      this.stateChanges.emit({ name: this.name, from, to: s.state, reason: s.reason, at: now, durationMs, openUntil: s.openUntil, remote });
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
