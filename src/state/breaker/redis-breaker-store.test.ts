import { afterEach, describe, expect, it, vi } from 'vitest';
import { breakerStateStoreContract } from '../../core/circuit-breaker/store.contract.js';
import type { BreakerSnapshot } from '../../core/circuit-breaker/snapshot.js';
import { RedisLink } from '../redis-link.js';
import { freePort, TestLinks, ThrowawayRedis } from '../test-support.js';
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

  it('a change whose notification was lost arrives by the periodic re-read', async () => {
    links = new TestLinks();
    const link = await links.open();
    const store = await RedisBreakerStateStore.open(link, { reconcileIntervalMs: 100 });
    const heard: string[] = [];
    store.subscribe('quiet', (s) => heard.push(s.reason));
    // Written straight into Redis, never published: as if the message had been lost.
    await link.commands.hset(link.key('breaker:quiet'), 'snap', JSON.stringify(snap({ reason: 'unannounced' })), 'at', '1000', 'seq', '999999');
    await link.commands.sadd(link.key('breakers'), 'quiet');
    await vi.waitFor(() => expect(heard).toEqual(['unannounced']), { timeout: 3_000, interval: 20 });
    store.close();
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

  it('a store opened while Redis was down subscribes once Redis appears (changes arrive by pub/sub, not by polling)', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const early = await RedisLink.connect({ url, connectTimeoutMs: 200, recoveryCheckIntervalMs: 50 });
    const store = await RedisBreakerStateStore.open(early, { reconcileIntervalMs: 0 });
    const server = ThrowawayRedis.at(port);
    await server.resume();
    try {
      await vi.waitFor(() => expect(early.isUp).toBe(true), { timeout: 8_000, interval: 50 });
      const late = await RedisLink.connect({ url });
      const writer = await RedisBreakerStateStore.open(late, { reconcileIntervalMs: 0 });
      const heard: string[] = [];
      store.subscribe('svc', (s) => heard.push(s.reason));
      await vi.waitFor(async () => {
        await writer.set('svc', snap({ changedAt: Date.now(), reason: 'pushed' }));
        expect(heard).toContain('pushed');
      }, { timeout: 5_000, interval: 100 });
      writer.close();
      store.close();
      await late.close();
    } finally {
      await early.close();
      await server.kill();
    }
  });
});
