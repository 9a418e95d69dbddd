import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisBreakerStateStore } from './breaker/redis-breaker-store.js';
import { MemoryCacheStore } from './cache/memory-cache-store.js';
import { RedisCacheStore } from './cache/redis-cache-store.js';
import { RedisSlidingWindowLimiter, windowKeys } from './rate-limit/redis-sliding-window.js';
import { UNAVAILABLE } from './redis-link.js';
import { TEST_REDIS_URL, TestLinks } from './test-support.js';

/**
 * A key of the wrong type (written by another tool, an older Bulwark, a typo'd prefix) is a fault
 * of that key, not of Redis: it must not mark the whole shared state down for every other key.
 */
describe('keys another process wrote with the wrong type', () => {
  const links = new TestLinks();
  let raw: Redis | undefined;
  afterEach(async () => {
    raw?.disconnect();
    await links.close();
  });

  it('a WRONGTYPE or a script error on one key leaves Redis up for every other key', async () => {
    const link = await links.open({ failureThreshold: 2 });
    raw = new Redis(TEST_REDIS_URL);
    await raw.hset(link.key('cache:poisoned'), 'field', 'value');
    await raw.set(windowKeys(link.prefix, 'poisoned').sum, 'not-a-number');
    const cache = new RedisCacheStore(link, { local: new MemoryCacheStore() });
    const limiter = new RedisSlidingWindowLimiter(link);
    const downs: string[] = [];
    link.onStatus((e) => {
      if (e.status === 'down') downs.push(e.reason);
    });
    for (let i = 0; i < 5; i++) {
      expect(await cache.get('poisoned')).toBeUndefined();
      expect((await limiter.take('poisoned', 1, 10, 60_000)).allowed).toBe(true); // local verdict
    }
    expect(await link.call((r) => r.get(link.key('cache:poisoned')))).toBe(UNAVAILABLE);
    expect(downs).toEqual([]);
    expect(link.isUp).toBe(true);
    await cache.set('healthy', 'answer', 60_000);
    expect(await raw.get(link.key('cache:healthy'))).toBe('answer');
  });
});

describe('foreign messages on the breaker channel', () => {
  const links = new TestLinks();
  let raw: Redis | undefined;
  afterEach(async () => {
    raw?.disconnect();
    await links.close();
  });

  it('a JSON null, a number or garbage published on the channel is ignored; real changes still arrive', async () => {
    const strays: unknown[] = [];
    const onStray = (error: unknown) => strays.push(error);
    process.on('uncaughtException', onStray);
    try {
      const linkA = await links.open();
      const a = await RedisBreakerStateStore.open(linkA);
      const b = await RedisBreakerStateStore.open(await links.open());
      raw = new Redis(TEST_REDIS_URL);
      for (const message of ['null', '42', '"text"', '{"k":"svc","q":"NaN","s":null}', 'not json']) await raw.publish(linkA.key('breaker-changes'), message);
      await a.set('svc', { version: 1, state: 'open', reason: 'after strays', changedAt: 5_000, openUntil: 65_000, consecutiveTrips: 1 });
      await vi.waitFor(() => expect(b.get('svc')?.reason).toBe('after strays'), { timeout: 3_000, interval: 20 });
      expect(strays).toEqual([]);
      a.close();
      b.close();
    } finally {
      process.off('uncaughtException', onStray);
    }
  });
});
