import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import { MemoryClusterHealthBoard, RedisClusterHealthBoard, type ClusterHealthBoard } from './cluster-health.js';
import { TestLinks } from './test-support.js';

const report = (at: number, ejected: boolean) => ({ at, deployments: [{ id: 'primary', breaker: 'closed', ejected, available: !ejected }] });

describe.each([
  ['memory', async () => {
    const board = new MemoryClusterHealthBoard();
    return { a: board as ClusterHealthBoard, b: board as ClusterHealthBoard, close: async () => {} };
  }],
  ['redis', async () => {
    const links = new TestLinks();
    const clock = new FakeClock(Date.now());
    return { a: new RedisClusterHealthBoard(await links.open(), { clock }), b: new RedisClusterHealthBoard(await links.open(), { clock }), close: () => links.close() };
  }],
] as const)('ClusterHealthBoard: %s', (_label, make) => {
  it('every replica reads what every replica published', async () => {
    const { a, b, close } = await make();
    const now = Date.now();
    await a.publish('one', report(now, false));
    await b.publish('two', report(now, true));
    for (const board of [a, b]) {
      const all = await board.read();
      expect(Object.keys(all).sort()).toEqual(['one', 'two']);
      expect(all.two.deployments[0]).toMatchObject({ id: 'primary', ejected: true });
    }
    await close();
  });
});

describe('RedisClusterHealthBoard', () => {
  it('leaves out replicas silent for longer than replicaTtlMs, and reads locally while Redis is away', async () => {
    const links = new TestLinks();
    const clock = new FakeClock(Date.now());
    const link = await links.open();
    const board = new RedisClusterHealthBoard(link, { clock, replicaTtlMs: 1_000 });
    await board.publish('gone', report(clock.now() - 5_000, false));
    await board.publish('here', report(clock.now(), false));
    expect(Object.keys(await board.read())).toEqual(['here']);
    await link.close();
    expect(Object.keys(await board.read())).toEqual(['here']); // its own local copy, same rule
    await links.close();
  });
});
