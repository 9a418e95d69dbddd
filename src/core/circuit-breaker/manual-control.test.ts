import { describe, expect, it } from 'vitest';
import { BrokenCircuitError, IsolatedCircuitError } from '../errors.js';
import { FakeClock } from '../fake-clock.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { fail, failTimes, recordTransitions, succeed } from './test-helpers.js';

const make = (options: ConstructorParameters<typeof CircuitBreaker>[0] = {}) => {
  const clock = new FakeClock();
  return { clock, breaker: new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(2), openMs: 1000, ...options }) };
};

describe('isolate()', () => {
  it('rejects with IsolatedCircuitError until every handle is released, then closes', async () => {
    const { clock, breaker } = make();
    const { list } = recordTransitions(breaker);
    const first = breaker.isolate();
    const second = breaker.isolate();
    let called = 0;
    await expect(breaker.execute(() => ++called)).rejects.toBeInstanceOf(IsolatedCircuitError);
    await clock.advance(10 * 60_000); // no open period ends an isolation
    expect(breaker.state).toBe('isolated');
    first();
    first(); // idempotent: does not release the second hold
    expect(breaker.state).toBe('isolated');
    second();
    expect(breaker.state).toBe('closed');
    expect(called).toBe(0);
    expect(list).toEqual(['closed>isolated', 'isolated>closed']);
  });

  it('takes precedence over an open circuit and over forceClose/disable', async () => {
    const { breaker } = make();
    await failTimes(breaker, 2);
    const offForce = breaker.forceClose();
    const offIso = breaker.isolate();
    const offDisable = breaker.disable();
    expect(breaker.state).toBe('isolated');
    offIso();
    expect(breaker.state).toBe('forced-closed');
    offForce();
    expect(breaker.state).toBe('disabled');
    offDisable();
    expect(breaker.state).toBe('closed');
  });
});

describe('forceClose()', () => {
  it('never rejects and never trips, but still emits outcomes', async () => {
    const { breaker } = make();
    let failures = 0;
    breaker.onFailure(() => failures++);
    const release = breaker.forceClose();
    await failTimes(breaker, 10);
    expect(breaker.state).toBe('forced-closed');
    expect(failures).toBe(10);
    release();
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('closed'); // the count started over on release
  });
});

describe('disable()', () => {
  it('is a pure pass-through: no recording, no events', async () => {
    const { breaker } = make();
    let events = 0;
    breaker.onFailure(() => events++);
    breaker.onSuccess(() => events++);
    const release = breaker.disable();
    await failTimes(breaker, 5);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(events).toBe(0);
    expect(breaker.state).toBe('disabled');
    release();
    expect(breaker.state).toBe('closed');
  });
});

describe('metricsOnly', () => {
  it('transitions and emits like an enforcing breaker but lets every call run', async () => {
    const { clock, breaker } = make({ metricsOnly: true });
    const { list } = recordTransitions(breaker);
    const rejected: boolean[] = [];
    breaker.onRejected((e) => rejected.push(e.enforced));
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('open');
    let ran = 0;
    await breaker.execute(() => ++ran);
    await breaker.execute(fail()).catch(() => {}); // outcome while open changes nothing
    expect(ran).toBe(1);
    expect(rejected).toEqual([false, false]);
    await clock.advance(1000);
    await breaker.execute(succeed);
    expect(list).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('still honours an operator isolation', async () => {
    const { breaker } = make({ metricsOnly: true });
    breaker.isolate();
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(IsolatedCircuitError);
  });

  it('an enforcing breaker, for contrast, rejects in the same situation', async () => {
    const { breaker } = make();
    await failTimes(breaker, 2);
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(BrokenCircuitError);
  });
});

describe('permitsCalls', () => {
  it('tells a balancer whether a call would run now, in every state', async () => {
    const { clock, breaker } = make();
    expect(breaker.permitsCalls).toBe(true);
    await failTimes(breaker, 2);
    expect(breaker.permitsCalls).toBe(false);
    await clock.advance(1000);
    expect(breaker.permitsCalls).toBe(true); // moved to half-open, one permit free
    expect(breaker.state).toBe('half-open');
    let finish!: () => void;
    const probe = breaker.execute(() => new Promise<void>((resolve) => { finish = resolve; }));
    expect(breaker.permitsCalls).toBe(false); // the only permit is taken
    finish();
    await probe;
    expect(breaker.permitsCalls).toBe(true);
    const release = breaker.isolate();
    expect(breaker.permitsCalls).toBe(false);
    release();
    const shadow = make({ metricsOnly: true }).breaker;
    await failTimes(shadow, 2);
    expect(shadow.state).toBe('open');
    expect(shadow.permitsCalls).toBe(true);
  });
});
