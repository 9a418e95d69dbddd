import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { TestLinks } from '../test-support.js';
import { concurrencyLeasesContract } from './concurrency-leases.contract.js';
import { MemoryConcurrencyLeases } from './memory-concurrency-leases.js';
import { RedisConcurrencyLeases } from './redis-concurrency-leases.js';

// Virtual time starts at the real time so Redis' own TTLs (real time) never cut a test short.
concurrencyLeasesContract('memory', () => {
  const clock = new FakeClock(Date.now());
  const leases = new MemoryConcurrencyLeases({ clock });
  return { a: leases, b: leases, clock, close: () => {} };
});

concurrencyLeasesContract('redis', async () => {
  const clock = new FakeClock(Date.now());
  const links = new TestLinks();
  return { a: new RedisConcurrencyLeases(await links.open(), { clock }), b: new RedisConcurrencyLeases(await links.open(), { clock }), clock, close: () => links.close() };
});

describe('RedisConcurrencyLeases without Redis', () => {
  it('decides on its local twin with limit / live replicas', async () => {
    const links = new TestLinks();
    const link = await links.open();
    const leases = new RedisConcurrencyLeases(link, { clock: new FakeClock(Date.now()), replicas: () => 2 });
    await link.close();
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await leases.acquire('t', `h${i}`, 4, 30_000));
    expect(taken).toEqual([true, true, false, false]);
    await links.close();
  });
});
