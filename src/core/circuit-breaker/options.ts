import { systemClock, type Clock } from '../clock.js';
import { InvalidOptionsError } from '../errors.js';
import { defaultRandom, type RandomSource } from '../random.js';
import { countEveryError } from './classify.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { BREAKER_DEFAULTS } from './defaults.js';
import { checkSnapshot, type BreakerSnapshot } from './snapshot.js';
import { MemoryBreakerStateStore, type BreakerStateStore } from './store.js';
import type { TripStrategy } from './trip-strategy.js';
import type { ProbeGate } from './probe-gate.js';
import type { CircuitBreakerOptions, ErrorClassification } from './types.js';
import { checkInteger, checkNumber, describe } from './validate.js';

/** {@link CircuitBreakerOptions} after validation and defaulting, frozen. */
export interface ResolvedBreakerOptions {
  readonly name: string;
  readonly strategy: TripStrategy;
  readonly openMs: number;
  readonly openBackoffMultiplier: number;
  readonly maxOpenMs: number;
  readonly openJitterRatio: number;
  readonly halfOpenMaxCalls: number;
  readonly halfOpenSuccessThreshold: number;
  readonly metricsOnly: boolean;
  readonly classifyError: (error: unknown) => ErrorClassification;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly store: BreakerStateStore;
  readonly probeGate: ProbeGate | undefined;
  readonly snapshot: BreakerSnapshot | undefined;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Validates once, at construction; every message names the field and the bad value. */
export function resolveBreakerOptions(options: CircuitBreakerOptions): ResolvedBreakerOptions {
  const d = BREAKER_DEFAULTS;
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError(`CircuitBreaker options must be an object, got ${describe(options)}`);
  const name = options.name ?? d.name;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidOptionsError(`CircuitBreaker.name must be a non-empty string, got ${describe(name)}`);
  const strategy = options.strategy ?? new ConsecutiveBreaker(d.consecutiveFailures);
  if (strategy === null || typeof strategy !== 'object' || typeof strategy.onFailure !== 'function' || typeof strategy.onSuccess !== 'function') {
    throw new InvalidOptionsError(`CircuitBreaker.strategy must be a TripStrategy, got ${describe(strategy)}`);
  }
  const openMs = checkNumber('CircuitBreaker.openMs', options.openMs ?? d.openMs, 0, MAX_TIMER_MS);
  const metricsOnly = options.metricsOnly ?? d.metricsOnly;
  if (typeof metricsOnly !== 'boolean') throw new InvalidOptionsError(`CircuitBreaker.metricsOnly must be a boolean, got ${describe(metricsOnly)}`);
  const store = options.store ?? new MemoryBreakerStateStore();
  if (store === null || typeof store !== 'object' || typeof store.get !== 'function' || typeof store.set !== 'function' || typeof store.subscribe !== 'function') {
    throw new InvalidOptionsError(`CircuitBreaker.store must be a BreakerStateStore (get, set, subscribe), got ${describe(store)}`);
  }
  const clock = options.clock ?? systemClock;
  if (clock === null || typeof clock !== 'object' || typeof clock.now !== 'function') {
    throw new InvalidOptionsError(`CircuitBreaker.clock must be a Clock, got ${describe(clock)}`);
  }
  return Object.freeze({
    name,
    strategy,
    openMs,
    openBackoffMultiplier: checkNumber('CircuitBreaker.openBackoffMultiplier', options.openBackoffMultiplier ?? d.openBackoffMultiplier, 1, 1000),
    // The default cap never undercuts a long openMs.
    maxOpenMs: checkNumber('CircuitBreaker.maxOpenMs', options.maxOpenMs ?? Math.max(d.maxOpenMs, openMs), openMs, MAX_TIMER_MS),
    openJitterRatio: checkNumber('CircuitBreaker.openJitterRatio', options.openJitterRatio ?? d.openJitterRatio, 0, 0.99),
    halfOpenMaxCalls: checkInteger('CircuitBreaker.halfOpenMaxCalls', options.halfOpenMaxCalls ?? d.halfOpenMaxCalls, 1),
    halfOpenSuccessThreshold: checkInteger('CircuitBreaker.halfOpenSuccessThreshold', options.halfOpenSuccessThreshold ?? d.halfOpenSuccessThreshold, 1),
    metricsOnly,
    classifyError: checkFunction('CircuitBreaker.classifyError', options.classifyError ?? countEveryError),
    clock,
    random: checkFunction('CircuitBreaker.random', options.random ?? defaultRandom),
    store,
    probeGate: checkProbeGate(options.probeGate),
    snapshot: options.snapshot === undefined ? undefined : checkSnapshot(options.snapshot, 'CircuitBreaker.snapshot'),
  });
}

function checkFunction<F>(field: string, value: F): F {
  if (typeof value !== 'function') throw new InvalidOptionsError(`${field} must be a function, got ${describe(value)}`);
  return value;
}

function checkProbeGate(gate: ProbeGate | undefined): ProbeGate | undefined {
  if (gate === undefined) return undefined;
  if (gate === null || typeof gate !== 'object' || typeof gate.acquire !== 'function' || typeof gate.release !== 'function') {
    throw new InvalidOptionsError(`CircuitBreaker.probeGate must be a ProbeGate (acquire, release), got ${describe(gate)}`);
  }
  return gate;
}
