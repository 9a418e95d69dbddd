import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { TestLinks } from '../test-support.js';
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

  it('rejects a cost that is not a whole number', async () => {
    const links = new TestLinks();
    const limiter = new RedisSlidingWindowLimiter(await links.open());
    await expect(limiter.take('k', 1.5, 10, 1000)).rejects.toThrow(/cost must be an integer/);
    await links.close();
  });
});
