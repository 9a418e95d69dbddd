import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../core/circuit-breaker/circuit-breaker.js';
import { BrokenCircuitError } from '../core/errors.js';
import { FakeClock } from '../core/fake-clock.js';
import { ConsecutiveBreaker } from '../core/circuit-breaker/consecutive-breaker.js';
import { MemoryCacheStore } from './cache/memory-cache-store.js';
import { createSharedState, type SharedState } from './shared-state.js';
import type { StateStatusEvent } from './state-status.js';
import { deleteKeys, TEST_REDIS_URL, ThrowawayRedis, uniquePrefix } from './test-support.js';

const failOnce = (b: CircuitBreaker) => b.execute(() => Promise.reject(new Error('down'))).catch(() => {});
const breaker = (name: string, state: SharedState) =>
  new CircuitBreaker({ name, store: state.breakerStore, strategy: new ConsecutiveBreaker(1), openMs: 60_000 });

describe('createSharedState', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('memory (the default): breakers of one process share decisions; no cache store of its own', async () => {
    const state = await createSharedState();
    expect(state.backend).toBe('memory');
    expect(state.status).toBe('up');
    expect(state.cacheStore).toBeUndefined();
    const [a, b] = [breaker('svc', state), breaker('svc', state)];
    await failOnce(a);
    expect(b.state).toBe('open');
    expect((await state.limiter.take('k', 1, 1, 1000)).allowed).toBe(true);
    expect((await state.limiter.take('k', 1, 1, 1000)).allowed).toBe(false);
  });

  it('redis: two replicas run one half-open probe between them, then both close', async () => {
    const prefix = uniquePrefix('probe');
    cleanup.push(() => deleteKeys(prefix));
    const open = async () => {
      const s = await createSharedState({ redis: { url: TEST_REDIS_URL, keyPrefix: prefix, commandTimeoutMs: 2_000 } }, { localCache: () => new MemoryCacheStore() });
      cleanup.push(() => s.close());
      return s;
    };
    const [one, two] = [await open(), await open()];
    const clock = new FakeClock(Date.now());
    const make = (s: SharedState) => new CircuitBreaker({ name: 'gpt', clock, store: s.breakerStore, probeGate: s.probeGate, strategy: new ConsecutiveBreaker(1), openMs: 1_000 });
    const [a, b] = [make(one), make(two)];
    cleanup.push(() => { a.dispose(); b.dispose(); });
    await failOnce(a);
    await vi.waitFor(() => expect(b.state).toBe('open'));
    await clock.advance(1_000);
    let finishProbe!: () => void;
    const probe = a.execute(() => new Promise<string>((resolve) => (finishProbe = () => resolve('ok'))));
    await vi.waitFor(() => expect(finishProbe).toBeTypeOf('function')); // a holds the cluster's permit
    await expect(b.execute(() => 'second probe')).rejects.toBeInstanceOf(BrokenCircuitError);
    finishProbe();
    expect(await probe).toBe('ok');
    expect(a.state).toBe('closed');
    await vi.waitFor(() => expect(b.state).toBe('closed'));
  });

  it('redis: a replica cut off from Redis keeps deciding locally, alerts, and resyncs both ways when Redis is back', async () => {
    const redis = await ThrowawayRedis.start();
    cleanup.push(() => redis.kill());
    const prefix = uniquePrefix('shared');
    const open = async (id: string) => {
      const s = await createSharedState({ redis: { url: redis.url, keyPrefix: prefix, recoveryCheckIntervalMs: 50, commandTimeoutMs: 2_000 } }, { replicaId: id, localCache: () => new MemoryCacheStore() });
      cleanup.push(() => s.close());
      return s;
    };
    const one = await open('one');
    const two = await open('two');
    expect(two.liveReplicas()).toBe(2); // both heartbeats are in
    const events: StateStatusEvent[] = [];
    one.onStatus((e) => events.push(e));
    const a = breaker('gpt', one);
    const b = breaker('gpt', two);
    cleanup.push(() => { a.dispose(); b.dispose(); });

    await redis.kill();
    await vi.waitFor(() => expect(one.status).toBe('down'), { timeout: 5_000, interval: 20 });
    expect(events[0]).toMatchObject({ backend: 'redis', status: 'down' });
    await failOnce(a); // decided locally while Redis is away
    expect(a.state).toBe('open');
    expect(b.state).toBe('closed');
    await one.cacheStore!.set('q', 'answer', 60_000);
    expect(await one.cacheStore!.get('q')).toBe('answer'); // local copy
    expect((await one.limiter.take('k', 1, 5, 60_000)).allowed).toBe(true); // never throws

    await redis.resume();
    await vi.waitFor(() => expect(b.state).toBe('open'), { timeout: 8_000, interval: 20 }); // re-published on recovery
    expect(one.status).toBe('up');
    expect(events.map((e) => e.status)).toEqual(['down', 'up']);
    await deleteKeys(prefix, redis.url);
  });
});
