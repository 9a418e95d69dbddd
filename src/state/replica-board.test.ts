import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import { DEFAULT_REPLICA_TTL_MS } from './defaults.js';
import { MAX_BOARD_REPLICAS, MAX_REPLICA_REPORT_BYTES, MemoryReplicaBoard, RedisReplicaBoard, type ReplicaBoard } from './replica-board.js';
import { TEST_REDIS_URL, TestLinks } from './test-support.js';

// One contract for both boards, on a fake clock (what "not heard from for the TTL" means is the
// publishers' clock; Redis's own key expiry is checked separately, below).
describe.each([
  ['memory', async (clock: FakeClock) => {
    const board = new MemoryReplicaBoard(clock);
    return { a: board as ReplicaBoard, b: board as ReplicaBoard, close: async () => {} };
  }],
  ['redis', async (clock: FakeClock) => {
    const links = new TestLinks();
    return { a: new RedisReplicaBoard(await links.open(), { clock }), b: new RedisReplicaBoard(await links.open(), { clock }), close: () => links.close() };
  }],
] as const)('ReplicaBoard: %s', (_label, make) => {
  it('every replica reads every live replica\'s last report, most recent first', async () => {
    const clock = new FakeClock(Date.now());
    const { a, b, close } = await make(clock);
    expect(await a.publish('one', '{"n":1}')).toBe(true);
    await clock.advance(10);
    expect(await b.publish('two', '{"n":2}')).toBe(true);
    await clock.advance(10);
    expect(await a.publish('one', '{"n":3}')).toBe(true);
    for (const board of [a, b]) {
      expect(await board.read()).toEqual([
        { replica: 'one', at: clock.now(), report: '{"n":3}' },
        { replica: 'two', at: clock.now() - 10, report: '{"n":2}' },
      ]);
    }
    await close();
  });

  it('a replica silent for longer than the TTL ages out; a report above the size bound is refused', async () => {
    const clock = new FakeClock(Date.now());
    const { a, b, close } = await make(clock);
    await a.publish('dead', '{}');
    await clock.advance(DEFAULT_REPLICA_TTL_MS + 1);
    await b.publish('alive', '{}');
    expect((await a.read())?.map((e) => e.replica)).toEqual(['alive']);
    expect(await b.publish('alive', 'x'.repeat(MAX_REPLICA_REPORT_BYTES + 1))).toBe(false);
    expect((await a.read())?.[0]?.report).toBe('{}');
    await close();
  });

  it(`keeps at most ${MAX_BOARD_REPLICAS} replicas, dropping the least recently heard from`, async () => {
    const clock = new FakeClock(Date.now());
    const { a, close } = await make(clock);
    for (let i = 0; i < MAX_BOARD_REPLICAS + 3; i++) {
      await a.publish(`r${i}`, '{}');
      await clock.advance(1);
    }
    const read = (await a.read())!;
    expect(read).toHaveLength(MAX_BOARD_REPLICAS);
    expect(read.at(-1)?.replica).toBe('r3');
    await close();
  });
});

describe('RedisReplicaBoard', () => {
  it('prunes dead replicas from Redis itself, and both keys expire with the TTL (a cluster that is gone leaves nothing)', async () => {
    const links = new TestLinks();
    const clock = new FakeClock(Date.now());
    const board = new RedisReplicaBoard(await links.open(), { clock });
    await board.publish('dead', '{}');
    await clock.advance(DEFAULT_REPLICA_TTL_MS + 1);
    await board.publish('alive', '{}');
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const reports = `${links.prefix}{dashboard}:reports`;
      const seen = `${links.prefix}{dashboard}:seen`;
      expect(await redis.hkeys(reports)).toEqual(['alive']);
      expect(await redis.zrange(seen, 0, -1)).toEqual(['alive']);
      for (const key of [reports, seen]) {
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(DEFAULT_REPLICA_TTL_MS);
      }
    } finally {
      redis.disconnect();
      await links.close();
    }
  });

  it('answers undefined (not a stale list, not an exception) while Redis is unreachable', async () => {
    const links = new TestLinks();
    const link = await links.open();
    const board = new RedisReplicaBoard(link);
    await link.close();
    expect(await board.publish('one', '{}')).toBe(false);
    expect(await board.read()).toBeUndefined();
    await links.close();
  });
});
