import type { Clock } from '../clock.js';
import { BrokenCircuitError, IsolatedCircuitError } from '../errors.js';
import type { ExecuteContext } from '../policy.js';
import type { BreakerEvents } from './breaker-events.js';
import { IDLE_CONTEXT, isCancelled } from './call-context.js';
import { isOperatorState, type OperatorState } from './operator-holds.js';
import type { ResolvedBreakerOptions } from './options.js';
import { checkSnapshot, type BreakerSnapshot } from './snapshot.js';
import type { TripStrategy } from './trip-strategy.js';
import type { BreakerStateName, ErrorClassification } from './types.js';

// What a call was admitted as. Probes carry their half-open generation (>= 1) instead.
/** Closed: the outcome goes to the trip strategy. */
export const TICKET_RECORD = -1;
/** Forced-closed, or metrics-only overflow: events only. */
export const TICKET_OBSERVE = -2;
/** Disabled: nothing at all. */
export const TICKET_PASS = -3;
/** `start` of a call whose duration nobody needs (the clock was not read). */
export const UNTIMED = -1;

/**
 * Where a circuit is and how it moves: closed → open (the strategy tripped) → half-open (the open
 * period elapsed) → closed (enough probes succeeded) or open again; the operator states; the
 * state shared through the store (written on every local transition, adopted from peers). It
 * admits calls (a ticket, or the error that refuses them) and records their outcomes.
 *
 * The {@link CircuitBreaker} policy runs calls around it; this class never runs one.
 *
 * @example
 * const ticket = machine.admit(); // throws BrokenCircuitError when open
 * machine.settleSuccess(ticket, UNTIMED);
 */
export class BreakerStateMachine {
  current: BreakerStateName = 'closed';
  changedAt: number;
  reason = 'initial';
  openUntil = 0;
  consecutiveTrips = 0;
  halfOpenGeneration = 0;
  probesInFlight = 0;
  private probeSuccesses = 0;
  private readonly name: string;
  private readonly clock: Clock;
  readonly strategy: TripStrategy;

  constructor(
    private readonly options: ResolvedBreakerOptions,
    private readonly events: BreakerEvents,
  ) {
    this.name = options.name;
    this.clock = options.clock;
    this.strategy = options.strategy;
    this.changedAt = this.clock.now();
  }

  /** Admits a call outside the closed state: its ticket, or throws the error that refuses it. */
  admit(): number {
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
        if (this.events.rejections.hasListeners) this.events.rejections.emit({ name: this.name, state: 'isolated', retryAfterMs: undefined, enforced: true });
        throw new IsolatedCircuitError(`Circuit "${this.name}" is isolated by an operator; the call was not attempted`);
      case 'forced-closed':
        return TICKET_OBSERVE;
      case 'disabled':
        return TICKET_PASS;
      default:
        return TICKET_RECORD;
    }
  }

  /** A probe the cluster-wide gate refused: its local permit is given back and the call refused. */
  refuseProbe(ticket: number): number {
    if (ticket === this.halfOpenGeneration && this.current === 'half-open') this.probesInFlight--;
    return this.reject(this.retryAfterMs || undefined);
  }

  /** While open: ms until a probe will be allowed; otherwise 0. */
  get retryAfterMs(): number {
    return this.current === 'open' ? Math.max(0, this.openUntil - this.clock.now()) : 0;
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
    if (this.events.rejections.hasListeners) this.events.rejections.emit({ name: this.name, state: this.current, retryAfterMs, enforced });
    if (enforced) throw new BrokenCircuitError(`Circuit "${this.name}" is ${this.current}; the call was not attempted`, retryAfterMs);
    return TICKET_OBSERVE;
  }

  /** A call admitted with `ticket` at `start` (or UNTIMED) succeeded. */
  settleSuccess(ticket: number, start: number): void {
    const now = start === UNTIMED ? 0 : this.clock.now();
    const durationMs = now - (start === UNTIMED ? 0 : start);
    if (ticket === TICKET_RECORD) {
      if (this.current === 'closed' && this.strategy.onSuccess(durationMs, now)) this.trip(this.strategy.tripReason());
    } else if (ticket > 0) {
      this.settleProbe(ticket, durationMs < this.strategy.slowCallDurationMs, durationMs);
    }
    if (this.events.successes.hasListeners) this.events.successes.emit({ name: this.name, state: this.current, durationMs });
  }

  /** A call admitted with `ticket`, run with `context`, failed: classified, then counted, ignored or taken as a success. */
  settleError(ticket: number, start: number, error: unknown, context: ExecuteContext): void {
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
      if (this.events.failures.hasListeners) this.events.failures.emit({ name: this.name, state: this.current, durationMs, error });
      return;
    }
    if (ticket > 0 && ticket === this.halfOpenGeneration && this.current === 'half-open') this.probesInFlight--;
    if (this.events.ignored.hasListeners) this.events.ignored.emit({ name: this.name, state: this.current, durationMs, error });
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

  /** Opens the circuit: the open period grows with consecutive trips, with jitter. */
  trip(reason: string): void {
    const { openMs, openBackoffMultiplier, maxOpenMs, openJitterRatio, random } = this.options;
    const now = this.clock.now();
    this.consecutiveTrips++;
    const grown = Math.min(maxOpenMs, openMs * openBackoffMultiplier ** (this.consecutiveTrips - 1));
    const jitter = openJitterRatio === 0 ? 1 : 1 + openJitterRatio * (2 * random() - 1);
    this.openUntil = now + Math.round(grown * jitter);
    this.strategy.reset(now);
    this.transition('open', now, reason);
  }

  close(reason: string): void {
    const now = this.clock.now();
    this.consecutiveTrips = 0;
    this.strategy.reset(now);
    this.transition('closed', now, reason);
  }

  enterHalfOpen(): void {
    this.halfOpenGeneration++;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.transition('half-open', this.clock.now(), 'open period elapsed');
  }

  /** The operator's holds now impose `target` (null: released). */
  applyHolds(target: OperatorState | null): void {
    if (target !== null) {
      if (this.current !== target) this.transition(target, this.clock.now(), `${target} by operator`);
    } else if (isOperatorState(this.current)) {
      this.close('released by operator');
    }
  }

  private transition(to: BreakerStateName, now: number, reason: string): void {
    const from = this.current;
    const durationMs = now - this.changedAt;
    this.current = to;
    this.changedAt = now;
    this.reason = reason;
    this.persist();
    if (this.events.stateChanges.hasListeners) {
      this.events.stateChanges.emit({ name: this.name, from, to, reason, at: now, durationMs, openUntil: to === 'open' ? this.openUntil : null, remote: false });
    }
  }

  /** Writes the state to the store (which must not throw; if one does, the local decision still stands). */
  persist(): void {
    try {
      const pending = this.options.store.set(this.name, this.toJSON());
      if (pending !== undefined) pending.then(undefined, () => {});
    } catch {
      // The store contract forbids throwing; if one does, the local decision still stands.
    }
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

  /** Adopts a peer's snapshot unless it is older than the local state or identical to it. */
  applyRemote(snapshot: BreakerSnapshot): boolean {
    const s = checkSnapshot(snapshot, 'applyRemote(snapshot)');
    if (s.changedAt < this.changedAt) return false;
    if (s.state === this.current && s.changedAt === this.changedAt && s.openUntil === this.toJSON().openUntil) return false;
    this.adopt(s, true);
    return true;
  }

  /** A corrupt stored value must not stop the process from starting: it starts closed instead. */
  adoptStored(stored: BreakerSnapshot | undefined): void {
    if (stored === undefined) return;
    let valid: BreakerSnapshot;
    try {
      valid = checkSnapshot(stored, `store snapshot "${this.name}"`);
    } catch {
      return;
    }
    this.adopt(valid, false);
  }

  /** Replaces the local state with a validated snapshot and emits the change. */
  adopt(s: BreakerSnapshot, remote: boolean): void {
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
    if (s.state !== from && this.events.stateChanges.hasListeners) {
      this.events.stateChanges.emit({ name: this.name, from, to: s.state, reason: s.reason, at: now, durationMs, openUntil: s.openUntil, remote });
    }
  }
}
