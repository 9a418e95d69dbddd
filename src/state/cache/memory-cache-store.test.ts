import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { describeCacheStore } from './cache-store.contract.js';
import { MemoryCacheStore } from './memory-cache-store.js';

describeCacheStore('memory', async () => {
  const clock = new FakeClock();
  return { store: new MemoryCacheStore({ clock }), pass: (ms) => clock.advance(ms), clock };
});

describe('MemoryCacheStore', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const store = new MemoryCacheStore({ maxEntries: 2, clock: new FakeClock() });
    await store.set('a', '1', 1000);
    await store.set('b', '2', 1000);
    expect(await store.get('a')).toBe('1'); // a is now the most recently used
    await store.set('c', '3', 1000);
    expect(store.size).toBe(2);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('1');
    expect(await store.get('c')).toBe('3');
  });

  it('rejects a bad maxEntries, naming it', () => {
    expect(() => new MemoryCacheStore({ maxEntries: 0 })).toThrow(InvalidOptionsError);
    expect(() => new MemoryCacheStore({ maxEntries: 0 })).toThrow(/maxEntries.*0/);
  });
});
