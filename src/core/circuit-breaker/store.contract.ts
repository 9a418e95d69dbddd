import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../fake-clock.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import type { BreakerSnapshot } from './snapshot.js';
import type { BreakerStateStore } from './store.js';

/** Two stores over the same backing state (two replicas), and how to release them. */
export interface StorePair {
  a: BreakerStateStore;
  b: BreakerStateStore;
  close(): Promise<void> | void;
}

const snapshot = (over: Partial<BreakerSnapshot> = {}): BreakerSnapshot => ({
  version: 1, state: 'open', reason: 'test', changedAt: Date.UTC(2026, 0, 1), openUntil: Date.UTC(2026, 0, 1) + 60_000, consecutiveTrips: 1, ...over,
});

/**
 * The contract every {@link BreakerStateStore} must meet, run against the memory store here and
 * against the Redis store by its own test: `breakerStateStoreContract('redis', makePair)`.
 * Propagation may be asynchronous; assertions on it poll (vi.waitFor).
 * `makePair(prefix)` gets a unique key prefix per test so runs never see each other's keys.
 */
export function breakerStateStoreContract(label: string, makePair: () => Promise<StorePair> | StorePair): void {
  describe(`BreakerStateStore contract: ${label}`, () => {
    let pair: StorePair | undefined;
    let n = 0;
    const key = () => `contract-${process.pid}-${Date.now()}-${++n}`;
    const open = async () => (pair = await makePair());
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('get() is undefined for an unknown key and returns what set() stored', async () => {
      const { a } = await open();
      const k = key();
      expect(a.get(k)).toBeUndefined();
      await a.set(k, snapshot());
      await vi.waitFor(() => expect(a.get(k)).toEqual(snapshot()));
    });

    it('subscribers on the other replica hear about a write; keys are independent; the disposer stops it', async () => {
      const { a, b } = await open();
      const k = key();
      const heard: BreakerSnapshot[] = [];
      const other: BreakerSnapshot[] = [];
      const off = b.subscribe(k, (s) => heard.push(s));
      const offOther = b.subscribe(`${k}-other`, (s) => other.push(s));
      await a.set(k, snapshot({ reason: 'first' }));
      await vi.waitFor(() => expect(heard.map((s) => s.reason)).toEqual(['first']));
      await vi.waitFor(() => expect(b.get(k)?.reason).toBe('first'));
      off();
      await a.set(k, snapshot({ reason: 'second' }));
      await a.set(`${k}-other`, snapshot({ reason: 'other' }));
      await vi.waitFor(() => expect(other.map((s) => s.reason)).toEqual(['other']));
      expect(heard.map((s) => s.reason)).toEqual(['first']);
      offOther();
    });

    it('breakers with the same name on two replicas share decisions without echoing them back', async () => {
      const { a, b } = await open();
      const name = key();
      const clock = new FakeClock();
      const writes: string[] = [];
      const countWrites = (store: BreakerStateStore, tag: string): BreakerStateStore => ({
        get: (k) => store.get(k),
        set: (k, s) => { writes.push(`${tag}:${s.state}`); return store.set(k, s); },
        subscribe: (k, l) => store.subscribe(k, l),
      });
      const one = new CircuitBreaker({ name, clock, store: countWrites(a, 'one'), strategy: new ConsecutiveBreaker(1), openMs: 1000 });
      const two = new CircuitBreaker({ name, clock, store: countWrites(b, 'two'), strategy: new ConsecutiveBreaker(1), openMs: 1000 });
      const remote: boolean[] = [];
      two.onStateChange((e) => remote.push(e.remote));
      await one.execute(() => Promise.reject(new Error('down'))).catch(() => {});
      await vi.waitFor(() => expect(two.state).toBe('open'));
      expect(two.retryAfterMs).toBe(1000);
      expect(remote).toEqual([true]);
      const release = two.isolate();
      await vi.waitFor(() => expect(one.state).toBe('isolated'));
      release();
      await vi.waitFor(() => expect(one.state).toBe('closed'));
      expect(writes).toEqual(['one:open', 'two:isolated', 'two:closed']);
      const late = new CircuitBreaker({ name, clock, store: a });
      await vi.waitFor(() => expect(a.get(name)?.state).toBe('closed'));
      expect(late.state).toBe('closed');
      one.dispose();
      two.dispose();
      late.dispose();
    });
  });
}
