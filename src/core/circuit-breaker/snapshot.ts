import type { BreakerStateName } from './types.js';
import { InvalidOptionsError } from '../errors.js';
import { describe } from './validate.js';

/**
 * A breaker's shared state as plain JSON (what `toJSON()` returns, what `restore()`,
 * `applyRemote()` and a {@link BreakerStateStore} take). Window contents (recent call outcomes)
 * are deliberately not part of it: they are per-process samples, while the *decision*
 * (open / closed / isolated, and until when) is what replicas share.
 */
export interface BreakerSnapshot {
  /** Format version; `1`. */
  readonly version: 1;
  readonly state: BreakerStateName;
  /** Why the breaker entered `state`, e.g. `"5 consecutive failures"`. */
  readonly reason: string;
  /** Clock time (ms since epoch) of the transition into `state`. Newer snapshots win. */
  readonly changedAt: number;
  /** While `open`: clock time at which a probe will be allowed; otherwise null. */
  readonly openUntil: number | null;
  /** Trips since the breaker last closed (drives the open-period backoff). */
  readonly consecutiveTrips: number;
}

const STATES: ReadonlySet<string> = new Set(['closed', 'open', 'half-open', 'isolated', 'forced-closed', 'disabled']);

/** Validates an untrusted snapshot (from JSON, a store, a peer). Throws InvalidOptionsError naming the field. */
export function checkSnapshot(value: unknown, field = 'snapshot'): BreakerSnapshot {
  if (value === null || typeof value !== 'object') throw new InvalidOptionsError(`${field} must be an object, got ${describe(value)}`);
  const s = value as Record<string, unknown>;
  if (s.version !== 1) throw new InvalidOptionsError(`${field}.version must be 1, got ${describe(s.version)}`);
  if (typeof s.state !== 'string' || !STATES.has(s.state)) throw new InvalidOptionsError(`${field}.state must be a breaker state, got ${describe(s.state)}`);
  if (typeof s.reason !== 'string') throw new InvalidOptionsError(`${field}.reason must be a string, got ${describe(s.reason)}`);
  if (typeof s.changedAt !== 'number' || !Number.isFinite(s.changedAt)) throw new InvalidOptionsError(`${field}.changedAt must be a finite number, got ${describe(s.changedAt)}`);
  if (s.state === 'open' ? typeof s.openUntil !== 'number' || !Number.isFinite(s.openUntil) : s.openUntil !== null) {
    throw new InvalidOptionsError(`${field}.openUntil must be a finite number when open and null otherwise, got ${describe(s.openUntil)}`);
  }
  if (typeof s.consecutiveTrips !== 'number' || !Number.isInteger(s.consecutiveTrips) || s.consecutiveTrips < 0) {
    throw new InvalidOptionsError(`${field}.consecutiveTrips must be a non-negative integer, got ${describe(s.consecutiveTrips)}`);
  }
  return s as unknown as BreakerSnapshot;
}
