import { afterEach, describe, expect, it, vi } from 'vitest';
import { breakerStateStoreContract } from '../../core/circuit-breaker/store.contract.js';
import type { BreakerSnapshot } from '../../core/circuit-breaker/snapshot.js';
import { RedisLink } from '../redis-link.js';
import { freePort, TestLinks, ThrowawayRedis } from '../test-support.js';
import { breakerIndexKey, breakerSequenceKey, breakerStateKey, RedisBreakerStateStore } from './redis-breaker-store.js';

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
    await link.commands.hset(breakerStateKey(link.prefix, 'quiet'), 'snap', JSON.stringify(snap({ reason: 'unannounced' })), 'at', '1000', 'seq', '999999');
    await link.commands.sadd(breakerIndexKey(link.prefix), 'quiet');
    await vi.waitFor(() => expect(heard).toEqual(['unannounced']), { timeout: 3_000, interval: 20 });
    store.close();
  });

  it('drops malformed remote states', async () => {
    links = new TestLinks();
    const link = await links.open();
    const store = await RedisBreakerStateStore.open(link);
    await link.commands.hset(breakerStateKey(link.prefix, 'bad'), 'snap', '{"version":9}', 'at', '5', 'seq', '999999');
    await link.commands.sadd(breakerIndexKey(link.prefix), 'bad');
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

  // Issue 13 defect 6: the shipped Redis keeps nothing. Before the fix, sequence numbers restarted
  // at 1 and B ignored every state A re-published; states B had never seen written were lost.
  it('after Redis restarts empty, every replica re-publishes what it holds and the others take it, although the old sequence numbers were higher', async () => {
    const redis = await ThrowawayRedis.start();
    const open = async () => {
      const link = await RedisLink.connect({ url: redis.url, recoveryCheckIntervalMs: 50, commandTimeoutMs: 2_000 });
      return { link, store: await RedisBreakerStateStore.open(link) };
    };
    const a = await open();
    const b = await open();
    const late: Array<{ link: RedisLink; store: RedisBreakerStateStore }> = [];
    try {
      // A history: B has taken states of 'svc' with high sequence numbers.
      for (let i = 1; i <= 6; i++) await a.store.set('svc', snap({ changedAt: 1_000 + i, state: i % 2 ? 'open' : 'closed', openUntil: i % 2 ? 61_000 : null, reason: `change ${i}` }));
      await b.store.set('quiet', snap({ changedAt: 2_000, reason: 'b opened it before the outage' }));
      await vi.waitFor(() => expect(b.store.get('svc')?.reason).toBe('change 6'), { timeout: 3_000, interval: 10 });

      await redis.kill();
      await vi.waitFor(() => expect(a.link.isUp || b.link.isUp).toBe(false), { timeout: 5_000, interval: 10 });
      await a.store.set('svc', snap({ changedAt: 9_000, reason: 'opened during the outage' })); // local only
      expect(b.store.get('svc')?.reason).toBe('change 6');

      await redis.resume(); // empty
      const backAt = Date.now();
      await vi.waitFor(() => expect(b.store.get('svc')?.reason).toBe('opened during the outage'), { timeout: 5_000, interval: 10 });
      console.log(`[state] after an empty Redis restart, B took A's state ${Date.now() - backAt} ms after Redis was back`);
      // A replica that starts after the restart finds both states: Redis was refilled by the replicas.
      late.push(await open());
      await vi.waitFor(async () => {
        await late[0].store.reload();
        expect(late[0].store.get('svc')?.reason).toBe('opened during the outage');
        expect(late[0].store.get('quiet')?.reason).toBe('b opened it before the outage');
      }, { timeout: 5_000, interval: 50 });
      // A later change still reaches the others (the new epoch's numbers are taken).
      await b.store.set('svc', snap({ changedAt: 10_000, state: 'closed', openUntil: null, reason: 'closed after the restart' }));
      await vi.waitFor(() => expect(a.store.get('svc')?.reason).toBe('closed after the restart'), { timeout: 3_000, interval: 10 });
    } finally {
      for (const { link, store } of [a, b, ...late]) {
        store.close();
        await link.close();
      }
      await redis.kill();
    }
  });

  it('numbers a new sequence above the old ones even when the server clock is behind the highest number seen', async () => {
    links = new TestLinks();
    const link = await links.open();
    const store = await RedisBreakerStateStore.open(link, { reconcileIntervalMs: 0 });
    const far = 9_000_000_000_000_000; // above any microsecond clock of this century
    await link.commands.hset(breakerStateKey(link.prefix, 'svc'), 'snap', JSON.stringify(snap({ changedAt: 500 })), 'at', '500', 'seq', String(far));
    await link.commands.sadd(breakerIndexKey(link.prefix), 'svc');
    await store.reload();
    await store.set('other', snap({ changedAt: 700 }));
    expect(Number(await link.commands.get(breakerSequenceKey(link.prefix)))).toBe(far + 1);
    store.close();
  });
});
