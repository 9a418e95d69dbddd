import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { breakerStateStoreContract } from '../core/circuit-breaker/store.contract.js';
import { FakeClock } from '../core/fake-clock.js';
import { probeGateContract } from './breaker/probe-gate.contract.js';
import { RedisBreakerStateStore } from './breaker/redis-breaker-store.js';
import { RedisProbeGate } from './breaker/redis-probe-gate.js';
import { describeCacheStore } from './cache/cache-store.contract.js';
import { MemoryCacheStore } from './cache/memory-cache-store.js';
import { RedisCacheStore } from './cache/redis-cache-store.js';
import { RedisClusterHealthBoard } from './cluster-health.js';
import { slidingWindowContract } from './rate-limit/sliding-window.contract.js';
import { RedisSlidingWindowLimiter } from './rate-limit/redis-sliding-window.js';
import type { RedisConnectionOptions } from './redis-connection.js';
import { TestLinks } from './test-support.js';

/**
 * Every shared-state contract suite, run by every Redis-backed store against the Redis that
 * `server()` names: the shared test Redis, a Sentinel set, a Redis Cluster, an ACL user over TLS.
 * `server` is read when a test runs (the suites' servers start in `beforeAll`).
 *
 * A new Redis-backed store joins every mode by adding its contract here (two replicas = two
 * links from one `TestLinks`); its multi-key scripts then have to keep their keys on one hash
 * tag, or the Cluster run fails with CROSSSLOT.
 */
export function redisStateContracts(label: string, server: () => RedisConnectionOptions): void {
  breakerStateStoreContract(`redis ${label}`, async () => {
    const links = new TestLinks(server());
    const a = await RedisBreakerStateStore.open(await links.open());
    const b = await RedisBreakerStateStore.open(await links.open());
    return { a, b, close: async () => { a.close(); b.close(); await links.close(); } };
  });

  probeGateContract(`redis ${label}`, async () => {
    const links = new TestLinks(server());
    return { a: new RedisProbeGate(await links.open()), b: new RedisProbeGate(await links.open()), close: () => links.close() };
  });

  slidingWindowContract(`redis ${label}`, async () => {
    // Virtual time starts at the real time so that Redis' own key TTLs never cut a test short.
    const clock = new FakeClock(Date.now());
    const links = new TestLinks(server());
    const a = new RedisSlidingWindowLimiter(await links.open(), { clock });
    const b = new RedisSlidingWindowLimiter(await links.open(), { clock });
    return { a, b, clock, close: () => links.close() };
  });

  describeCacheStore(`redis ${label}`, async () => {
    const links = new TestLinks(server());
    const writer = new RedisCacheStore(await links.open(), { local: new MemoryCacheStore() });
    return {
      store: {
        get: (key) => writer.get(key),
        set: (key, value, ttlMs) => writer.set(key, value, ttlMs),
        delete: (key) => writer.delete(key),
        close: async () => {
          await writer.close();
          await links.close();
        },
      },
      pass: (ms: number) => sleep(ms),
    };
  });

  describe(`ClusterHealthBoard: redis ${label}`, () => {
    it('every replica reads what every replica published', async () => {
      const links = new TestLinks(server());
      try {
        const [a, b] = [new RedisClusterHealthBoard(await links.open()), new RedisClusterHealthBoard(await links.open())];
        const now = Date.now();
        await a.publish('one', { at: now, deployments: [{ id: 'primary', breaker: 'closed', ejected: false, available: true }] });
        await b.publish('two', { at: now, deployments: [{ id: 'primary', breaker: 'open', ejected: true, available: false }] });
        for (const board of [a, b]) expect(Object.keys(await board.read()).sort()).toEqual(['one', 'two']);
      } finally {
        await links.close();
      }
    });
  });

  describe(`shared across replicas: redis ${label}`, () => {
    it('an answer cached through one replica is read by another (not from its own local copy)', async () => {
      const links = new TestLinks(server());
      try {
        const one = new RedisCacheStore(await links.open(), { local: new MemoryCacheStore() });
        const two = new RedisCacheStore(await links.open(), { local: new MemoryCacheStore() });
        await one.set('answer', '{"x":1}', 60_000);
        expect(await two.get('answer')).toBe('{"x":1}');
      } finally {
        await links.close();
      }
    });
  });
}
