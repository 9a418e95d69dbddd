import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { RedisLink } from '../redis-link.js';
import { TestLinks, ThrowawayRedis } from '../test-support.js';
import { MemorySlidingWindowLimiter } from './memory-sliding-window.js';
import { RedisSlidingWindowLimiter } from './redis-sliding-window.js';
import { slidingWindowContract } from './sliding-window.contract.js';

// Virtual time starts at the real time so that Redis' own key TTLs (real time) never cut a test short.
const clockNow = () => new FakeClock(Date.now());

slidingWindowContract('memory', () => {
  const clock = clockNow();
  const limiter = new MemorySlidingWindowLimiter({ clock });
  return { a: limiter, b: limiter, clock, close: () => {} };
});

slidingWindowContract('redis', async () => {
  const clock = clockNow();
  const links = new TestLinks();
  const a = new RedisSlidingWindowLimiter(await links.open(), { clock });
  const b = new RedisSlidingWindowLimiter(await links.open(), { clock });
  return { a, b, clock, close: () => links.close() };
});

describe('RedisSlidingWindowLimiter without Redis', () => {
  it('decides locally on limit / live replicas, and counts what it admitted while Redis was up', async () => {
    const clock = clockNow();
    const links = new TestLinks();
    const link = await links.open();
    const limiter = new RedisSlidingWindowLimiter(link, { clock, replicas: () => 3 });
    for (let i = 0; i < 2; i++) expect((await limiter.take('k', 1, 30, 60_000)).allowed).toBe(true);
    await link.close(); // Redis unreachable from here on
    const verdicts = [];
    for (let i = 0; i < 12; i++) verdicts.push((await limiter.take('k', 1, 30, 60_000)).allowed);
    expect(verdicts.filter(Boolean)).toHaveLength(8); // 30 / 3 = 10 per replica, 2 already used
    await links.close();
  });

  it('writes the units it admitted during an outage back to Redis when it returns', async () => {
    const redis = await ThrowawayRedis.start();
    const clock = clockNow();
    // A generous command bound: on a loaded machine 50 ms timeouts would read as a second outage.
    const link = await RedisLink.connect({ url: redis.url, recoveryCheckIntervalMs: 50, commandTimeoutMs: 2_000 });
    const limiter = new RedisSlidingWindowLimiter(link, { clock, replicas: () => 2 });
    try {
      expect((await limiter.take('k', 1, 30, 60_000)).allowed).toBe(true);
      await redis.kill();
      await vi.waitFor(() => expect(link.isUp).toBe(false), { timeout: 5_000, interval: 20 });
      for (let i = 0; i < 4; i++) expect((await limiter.take('k', 1, 30, 60_000)).allowed).toBe(true); // local: 15 each
      await limiter.record('tokens', 250, 60_000);
      await redis.resume(); // empty: the unit taken before the outage is gone with it
      await vi.waitFor(() => expect(link.isUp).toBe(true), { timeout: 8_000, interval: 20 });
      const other = await RedisLink.connect({ url: redis.url });
      const peer = new RedisSlidingWindowLimiter(other, { clock });
      await vi.waitFor(async () => expect(await peer.used('k', 60_000)).toBe(4), { timeout: 3_000, interval: 20 });
      expect(await peer.used('tokens', 60_000)).toBe(250);
      await other.close();
    } finally {
      await link.close();
      await redis.kill();
    }
  });

  it('admits nothing locally under a limit of 0 (the share of one replica is never raised above the limit)', async () => {
    const links = new TestLinks();
    const link = await links.open();
    const limiter = new RedisSlidingWindowLimiter(link, { replicas: () => 2 });
    await link.close(); // Redis unreachable from here on
    expect((await limiter.take('zero', 1, 0, 60_000)).allowed).toBe(false);
    expect((await limiter.take('one', 1, 1, 60_000)).allowed).toBe(true); // 1 / 2 replicas still admits one
    await links.close();
  });

  it('rejects a cost that is not a whole number', async () => {
    const links = new TestLinks();
    const limiter = new RedisSlidingWindowLimiter(await links.open());
    await expect(limiter.take('k', 1.5, 10, 1000)).rejects.toThrow(/cost must be an integer/);
    await links.close();
  });
});
