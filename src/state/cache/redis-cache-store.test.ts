import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeCacheStore } from './cache-store.contract.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { TestLinks } from '../test-support.js';
import { RedisCacheStore } from './redis-cache-store.js';

describeCacheStore('redis', async () => {
  const links = new TestLinks();
  const store = new RedisCacheStore(await links.open(), { local: new MemoryCacheStore() });
  const closing = {
    get: store.get.bind(store),
    set: store.set.bind(store),
    delete: store.delete.bind(store),
    close: async () => {
      await store.close();
      await links.close();
    },
  };
  return { store: closing, pass: (ms: number) => sleep(ms) };
});

describe('RedisCacheStore', () => {
  it('an answer stored through one replica is read by another', async () => {
    const links = new TestLinks();
    const one = new RedisCacheStore(await links.open(), { local: new MemoryCacheStore() });
    const two = new RedisCacheStore(await links.open(), { local: new MemoryCacheStore() });
    await one.set('q', 'answer', 10_000);
    expect(await two.get('q')).toBe('answer');
    await links.close();
  });

  it('falls back to its local copy while Redis is unreachable', async () => {
    const links = new TestLinks();
    const link = await links.open();
    const store = new RedisCacheStore(link, { local: new MemoryCacheStore() });
    await store.set('q', 'kept locally too', 10_000);
    await link.close();
    expect(await store.get('q')).toBe('kept locally too');
    await store.set('while-down', 'v', 10_000); // never throws
    expect(await store.get('while-down')).toBe('v');
    await links.close();
  });
});
