import { afterEach, describe, expect, it } from 'vitest';
import { breakerStateStoreContract } from '../../core/circuit-breaker/store.contract.js';
import type { BreakerSnapshot } from '../../core/circuit-breaker/snapshot.js';
import { TestLinks } from '../test-support.js';
import { RedisBreakerStateStore } from './redis-breaker-store.js';

breakerStateStoreContract('redis', async () => {
  const links = new TestLinks();
  const a = await RedisBreakerStateStore.open(await links.open());
  const b = await RedisBreakerStateStore.open(await links.open());
  return { a, b, close: async () => { a.close(); b.close(); await links.close(); } };
});

const snap = (over: Partial<BreakerSnapshot> = {}): BreakerSnapshot => ({
  version: 1, state: 'open', reason: 'r', changedAt: 1_000, openUntil: 61_000, consecutiveTrips: 1, ...over,
});

describe('RedisBreakerStateStore', () => {
  let links: TestLinks;
  afterEach(async () => links?.close());

  it('warms its cache from Redis before any breaker asks (get is synchronous)', async () => {
    links = new TestLinks();
    const writer = await RedisBreakerStateStore.open(await links.open());
    await writer.set('svc', snap({ reason: 'written earlier' }));
    const late = await RedisBreakerStateStore.open(await links.open());
    expect(late.get('svc')?.reason).toBe('written earlier');
    writer.close();
    late.close();
  });

  it('last writer by changedAt wins in Redis, whatever the arrival order', async () => {
    links = new TestLinks();
    const a = await RedisBreakerStateStore.open(await links.open());
    const b = await RedisBreakerStateStore.open(await links.open());
    await a.set('svc', snap({ changedAt: 2_000, state: 'closed', openUntil: null, reason: 'newer' }));
    await b.set('svc', snap({ changedAt: 1_500, reason: 'older, arrived later' }));
    const c = await RedisBreakerStateStore.open(await links.open());
    expect(c.get('svc')?.reason).toBe('newer');
    expect(b.get('svc')?.reason).toBe('newer'); // b lost the compare-and-set and converged on the winner
    const heard: string[] = [];
    b.subscribe('svc', (s) => heard.push(s.reason));
    await b.set('svc', snap({ changedAt: 1_200, reason: 'stale again' }));
    expect(heard).toEqual(['newer']); // its breaker is told, so it adopts the winner too
    for (const s of [a, b, c]) s.close();
  });

  it('drops malformed remote states', async () => {
    links = new TestLinks();
    const link = await links.open();
    const store = await RedisBreakerStateStore.open(link);
    await link.commands.hset(link.key('breaker:bad'), 'snap', '{"version":9}', 'at', '5', 'seq', '999999');
    await link.commands.sadd(link.key('breakers'), 'bad');
    await store.reload();
    expect(store.get('bad')).toBeUndefined();
    store.close();
  });
});
