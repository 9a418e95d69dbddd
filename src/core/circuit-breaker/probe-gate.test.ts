import { describe, expect, it } from 'vitest';
import { BrokenCircuitError, InvalidOptionsError } from '../errors.js';
import { FakeClock } from '../fake-clock.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import type { ProbeGate } from './probe-gate.js';
import { MemoryBreakerStateStore } from './store.js';
import { deferred, failTimes } from './test-helpers.js';

/** A counting gate shared by "replicas" (the reference semantics; Redis implements the same in src/state). */
class CountingGate implements ProbeGate {
  held = 0;
  acquired = 0;
  released = 0;
  acquire(_name: string, maxCalls: number): boolean {
    if (this.held >= maxCalls) return false;
    this.held++;
    this.acquired++;
    return true;
  }
  release(): void {
    this.held--;
    this.released++;
  }
}

function replicas(gate: ProbeGate, options: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  const clock = new FakeClock();
  const store = new MemoryBreakerStateStore();
  const make = () => new CircuitBreaker({ name: 'svc', clock, store, strategy: new ConsecutiveBreaker(1), openMs: 1_000, probeGate: gate, ...options });
  return { clock, one: make(), two: make() };
}

describe('CircuitBreaker probeGate (cluster-wide half-open permits)', () => {
  it('lets only the permitted number of probes run across replicas; the others fail fast', async () => {
    const gate = new CountingGate();
    const { clock, one, two } = replicas(gate);
    await failTimes(one, 1);
    expect(two.state).toBe('open');
    await clock.advance(1_000);
    const probe = deferred();
    const running = one.execute(() => probe.promise);
    await Promise.resolve();
    await Promise.resolve();
    // `two` has a free local permit, but the cluster's single permit is taken by `one`.
    await expect(two.execute(() => 'second probe')).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(gate.acquired).toBe(1);
    probe.resolve('ok');
    await running;
    expect(one.state).toBe('closed');
    expect(two.state).toBe('closed');
    expect(gate.held).toBe(0);
  });

  it('releases the permit whatever the probe outcome, and a refused call gives its local slot back', async () => {
    const gate = new CountingGate();
    const { clock, one, two } = replicas(gate, { halfOpenMaxCalls: 1 });
    await failTimes(one, 1);
    await clock.advance(1_000);
    await one.execute(() => Promise.reject(new Error('still down'))).catch(() => {});
    expect(one.state).toBe('open');
    expect(gate).toMatchObject({ acquired: 1, released: 1, held: 0 });
    await clock.advance(1_000);
    gate.held = 1; // someone elsewhere holds the only permit
    await expect(two.execute(() => 'x')).rejects.toBeInstanceOf(BrokenCircuitError);
    gate.held = 0;
    expect(await two.execute(() => 'probe')).toBe('probe'); // the refused call did not keep the local slot
    expect(two.state).toBe('closed');
  });

  it('a gate that throws grants the probe (a broken gate never stops healing)', async () => {
    const broken: ProbeGate = { acquire: () => Promise.reject(new Error('redis down')), release: () => { throw new Error('redis down'); } };
    const { clock, one } = replicas(broken);
    await failTimes(one, 1);
    await clock.advance(1_000);
    expect(await one.execute(() => 'ok')).toBe('ok');
    expect(one.state).toBe('closed');
  });

  it('metrics-only: a refused probe runs as an observed call', async () => {
    const gate = new CountingGate();
    const { clock, one } = replicas(gate, { metricsOnly: true });
    await failTimes(one, 1);
    await clock.advance(1_000);
    gate.held = 1;
    expect(await one.execute(() => 'ran')).toBe('ran');
    expect(gate.released).toBe(0);
  });

  it('closed calls never touch the gate', async () => {
    const gate = new CountingGate();
    const { one } = replicas(gate);
    await one.execute(() => 'ok');
    expect(gate.acquired).toBe(0);
  });

  it('rejects a gate without acquire/release, naming the field', () => {
    expect(() => new CircuitBreaker({ probeGate: {} as ProbeGate })).toThrow(InvalidOptionsError);
    expect(() => new CircuitBreaker({ probeGate: {} as ProbeGate })).toThrow(/CircuitBreaker\.probeGate must be a ProbeGate/);
  });
});
