/**
 * An optional, cluster-wide limit on half-open probes (`CircuitBreakerOptions.probeGate`).
 *
 * Without a gate each breaker admits `halfOpenMaxCalls` probes on its own, so N replicas sharing
 * breaker state through a store would send N × `halfOpenMaxCalls` probes to a recovering
 * dependency. With a gate, a probe the local breaker admitted also needs one of `maxCalls`
 * permits for the breaker's name from the gate (e.g. a Redis-side counter); refused, the call
 * fails fast with BrokenCircuitError exactly like a call beyond the local permits.
 *
 * Contract:
 * - `acquire(name, maxCalls)` is called only for admitted probes. It resolves `true` to run the
 *   probe. It should not reject; if it does, the probe runs (local permits still bound it), so a
 *   broken gate never stops a breaker from healing.
 * - `release(name)` is called exactly once for every granted probe when it settles, whatever the
 *   outcome (success, failure, ignored, cancelled). It must not throw.
 * - A gate should expire permits whose holder vanished (a crashed replica), or the breaker's
 *   dependency would never be probed again.
 */
export interface ProbeGate {
  acquire(name: string, maxCalls: number): boolean | Promise<boolean>;
  release(name: string): void;
}
