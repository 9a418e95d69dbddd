import { describe, expect, it } from 'vitest';
import { FakeClock } from '../fake-clock.js';
import { InvalidOptionsError } from '../errors.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { checkSnapshot, type BreakerSnapshot } from './snapshot.js';
import { MemoryBreakerStateStore, type BreakerStateStore } from './store.js';
import { breakerStateStoreContract } from './store.contract.js';
import { failTimes, recordTransitions } from './test-helpers.js';

breakerStateStoreContract('memory', () => {
  const store = new MemoryBreakerStateStore();
  return { a: store, b: store, close: () => {} };
});

const make = (options: ConstructorParameters<typeof CircuitBreaker>[0] = {}) =>
  new CircuitBreaker({ clock: new FakeClock(), strategy: new ConsecutiveBreaker(1), openMs: 1000, ...options });

describe('snapshots: toJSON / restore / snapshot option', () => {
  it('toJSON is plain JSON that round-trips', async () => {
    const clock = new FakeClock();
    const b = make({ clock, name: 'svc' });
    await failTimes(b, 1);
    const json = JSON.parse(JSON.stringify(b));
    expect(json).toEqual({ version: 1, state: 'open', reason: '1 consecutive failures', changedAt: clock.now(), openUntil: clock.now() + 1000, consecutiveTrips: 1 });
    const copy = make({ clock, snapshot: json });
    expect(copy.state).toBe('open');
    expect(copy.retryAfterMs).toBe(1000);
    await clock.advance(1000);
    expect(copy.state).toBe('half-open');
  });

  it('restore() replaces the state, emits the change and writes the store', async () => {
    const store = new MemoryBreakerStateStore();
    const b = make({ store, name: 'svc' });
    const { events } = recordTransitions(b);
    const snap: BreakerSnapshot = { version: 1, state: 'isolated', reason: 'maintenance', changedAt: 1, openUntil: null, consecutiveTrips: 0 };
    b.restore(snap);
    expect(b.state).toBe('isolated');
    expect(events[0]).toMatchObject({ from: 'closed', to: 'isolated', reason: 'maintenance', remote: false });
    expect(store.get('svc')).toEqual(snap);
  });

  it('a restored half-open snapshot admits fresh probes', async () => {
    const b = make({ snapshot: { version: 1, state: 'half-open', reason: 'x', changedAt: 1, openUntil: null, consecutiveTrips: 2 } });
    await b.execute(() => 'ok');
    expect(b.state).toBe('closed');
    expect(b.toJSON().consecutiveTrips).toBe(0);
  });

  it.each([
    [null, /snapshot must be an object/],
    [{ version: 1, state: 'ajar', reason: '', changedAt: 0, openUntil: null, consecutiveTrips: 0 }, /snapshot\.state must be a breaker state, got "ajar"/],
    [{ version: 1, state: 'open', reason: '', changedAt: 0, openUntil: null, consecutiveTrips: 0 }, /snapshot\.openUntil must be a finite number when open/],
    [{ version: 1, state: 'closed', reason: '', changedAt: 0, openUntil: 5, consecutiveTrips: 0 }, /snapshot\.openUntil/],
    [{ version: 1, state: 'closed', reason: '', changedAt: 'x', openUntil: null, consecutiveTrips: 0 }, /snapshot\.changedAt/],
    [{ version: 1, state: 'closed', reason: '', changedAt: 0, openUntil: null, consecutiveTrips: -1 }, /snapshot\.consecutiveTrips/],
  ])('checkSnapshot rejects %o', (value, message) => {
    expect(() => checkSnapshot(value)).toThrow(InvalidOptionsError);
    expect(() => checkSnapshot(value)).toThrow(message);
  });
});

describe('applyRemote', () => {
  it('ignores stale and identical snapshots, adopts newer ones without writing them back', async () => {
    const clock = new FakeClock();
    const sets: string[] = [];
    const inner = new MemoryBreakerStateStore();
    const store: BreakerStateStore = { get: (k) => inner.get(k), set: (k, s) => { sets.push(s.state); inner.set(k, s); }, subscribe: (k, l) => inner.subscribe(k, l) };
    const b = make({ clock, store });
    await clock.advance(10);
    await failTimes(b, 1); // local open at t+10
    expect(sets).toEqual(['open']);
    const stale: BreakerSnapshot = { version: 1, state: 'closed', reason: 'old', changedAt: clock.now() - 5, openUntil: null, consecutiveTrips: 0 };
    expect(b.applyRemote(stale)).toBe(false);
    expect(b.applyRemote(b.toJSON())).toBe(false);
    const newer: BreakerSnapshot = { version: 1, state: 'closed', reason: 'peer closed', changedAt: clock.now() + 1, openUntil: null, consecutiveTrips: 0 };
    expect(b.applyRemote(newer)).toBe(true);
    expect(b.state).toBe('closed');
    expect(b.toJSON().reason).toBe('peer closed');
    expect(sets).toEqual(['open']);
  });

  it('a store that throws or rejects never breaks the breaker', async () => {
    const broken: BreakerStateStore = { get: () => undefined, set: () => Promise.reject(new Error('redis down')), subscribe: () => () => {} };
    const throwing: BreakerStateStore = { get: () => undefined, set: () => { throw new Error('bad store'); }, subscribe: () => () => {} };
    for (const store of [broken, throwing]) {
      const b = make({ store });
      await failTimes(b, 1);
      expect(b.state).toBe('open');
    }
  });

  it('a malformed pushed snapshot is dropped; dispose() unsubscribes', async () => {
    const store = new MemoryBreakerStateStore();
    const b = make({ store, name: 'svc' });
    store.set('svc', { version: 9 } as unknown as BreakerSnapshot);
    expect(b.state).toBe('closed');
    b.dispose();
    store.set('svc', { version: 1, state: 'isolated', reason: 'x', changedAt: Date.UTC(2030, 0, 1), openUntil: null, consecutiveTrips: 0 });
    expect(b.state).toBe('closed');
  });
});
