import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBreakerStateStore } from '../../src/state/breaker/redis-breaker-store.js';
import { RedisSlidingWindowLimiter } from '../../src/state/rate-limit/redis-sliding-window.js';
import { redisStateContracts } from '../../src/state/redis-state.contract.js';
import { TestLinks } from '../../src/state/test-support.js';
import { UNAVAILABLE } from '../../src/state/redis-link.js';
import { startRedisCluster, type RedisClusterSet } from './servers.js';

// A real 3-primary Redis Cluster (redis-server --cluster-enabled yes + redis-cli --cluster create),
// running every shared-state contract suite. Each multi-key script keeps its keys on one hash tag:
// without that, Redis refuses it with CROSSSLOT and the store would only ever decide locally.
let cluster: RedisClusterSet | undefined;
const server = () => ({ cluster: { nodes: cluster!.nodes } });

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 90_000);
afterAll(async () => cluster?.stop());

redisStateContracts('cluster', server);

describe('Redis Cluster specifics', () => {
  it('spreads keys over the primaries, and every multi-key script runs on the cluster (no CROSSSLOT: Redis answers, not the local twin)', async () => {
    const links = new TestLinks(server());
    try {
      const link = await links.open();
      expect(link.isUp).toBe(true);
      const limiter = new RedisSlidingWindowLimiter(link);
      const names = Array.from({ length: 24 }, (_, i) => `deployment-${i}:rpm`);
      for (const name of names) expect((await limiter.take(name, 1, 10, 60_000)).used).toBe(1);
      // A second replica sees the units: they are in Redis, not only in the first one's twin.
      const peer = new RedisSlidingWindowLimiter(await links.open());
      for (const name of names) expect(await peer.used(name, 60_000)).toBe(1);
      // The 24 windows landed on more than one primary.
      const holders = new Set<string>();
      for (const node of (link.commands as import('ioredis').Cluster).nodes('master')) {
        const keys = await node.keys(`${links.prefix}*`);
        if (keys.length > 0) holders.add(`${node.options.port}`);
      }
      expect(holders.size).toBeGreaterThan(1);

      const store = await RedisBreakerStateStore.open(link, { reconcileIntervalMs: 0 });
      await store.set('svc', { version: 1, state: 'open', reason: 'cluster', changedAt: 1_000, openUntil: 61_000, consecutiveTrips: 1 });
      const late = await RedisBreakerStateStore.open(await links.open(), { reconcileIntervalMs: 0 });
      expect(late.get('svc')?.reason).toBe('cluster'); // written by the script, read back by the pipeline
      store.close();
      late.close();
      expect(await link.call((r) => r.ping())).not.toBe(UNAVAILABLE);
    } finally {
      await links.close();
    }
  });
});
