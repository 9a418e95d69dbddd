import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BreakerStateName as RouterBreakerStateName } from '../../llm/router-events.js';
import { FakeClock } from '../fake-clock.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { MemoryBreakerStateStore } from './store.js';
import type { BreakerStateName } from './types.js';

describe('contracts', () => {
  it('the core restates the router’s BreakerStateName exactly (checked by tsc)', () => {
    expectTypeOf<BreakerStateName>().toEqualTypeOf<RouterBreakerStateName>();
  });

  it('the closed-state path reads no clock and builds no event when nobody listens', async () => {
    const clock = new FakeClock();
    let reads = 0;
    const counting = { now: () => (reads++, clock.now()), setTimeout: clock.setTimeout.bind(clock), clearTimeout: clock.clearTimeout.bind(clock) };
    const breaker = new CircuitBreaker({ clock: counting, strategy: new ConsecutiveBreaker(5) });
    reads = 0;
    for (let i = 0; i < 100; i++) await breaker.execute(() => i);
    await breaker.execute(() => Promise.reject(new Error('x'))).catch(() => {});
    expect(reads).toBe(0);
    // A listener makes durations necessary: now the clock is read (twice per call).
    breaker.onSuccess(() => {});
    await breaker.execute(() => 1);
    expect(reads).toBe(2);
  });

  it('a corrupt stored snapshot does not stop the breaker from starting (it starts closed)', () => {
    const store = new MemoryBreakerStateStore();
    store.set('svc', { version: 1, state: 'open', openUntil: null } as never);
    const breaker = new CircuitBreaker({ name: 'svc', store, clock: new FakeClock() });
    expect(breaker.state).toBe('closed');
  });
});
