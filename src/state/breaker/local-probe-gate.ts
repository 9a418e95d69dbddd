import type { ProbeGate } from '../../core/circuit-breaker/probe-gate.js';

/**
 * The in-process {@link ProbeGate}: breakers with the same name that share one gate share
 * `maxCalls` probe permits, as replicas do through {@link RedisProbeGate}. The reference
 * implementation of the contract, and the memory backend's gate.
 *
 * @example const gate = new LocalProbeGate(); new CircuitBreaker({ name: 'a', probeGate: gate });
 */
export class LocalProbeGate implements ProbeGate {
  private readonly held = new Map<string, number>();

  acquire(name: string, maxCalls: number): boolean {
    const n = this.held.get(name) ?? 0;
    if (n >= maxCalls) return false;
    this.held.set(name, n + 1);
    return true;
  }

  release(name: string): void {
    const n = this.held.get(name) ?? 0;
    if (n <= 1) this.held.delete(name);
    else this.held.set(name, n - 1);
  }

  /** Permits held now for `name`. */
  holding(name: string): number {
    return this.held.get(name) ?? 0;
  }
}
