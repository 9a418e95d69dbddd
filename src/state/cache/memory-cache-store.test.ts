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

  it('keeps keys and values within maxBytes, evicting the least recently used first', async () => {
    const store = new MemoryCacheStore({ maxBytes: 100, clock: new FakeClock() });
    await store.set('a', 'x'.repeat(39), 1000); // 40 bytes
    await store.set('b', 'x'.repeat(39), 1000); // 80
    expect(await store.get('a')).toBeDefined(); // a is now the most recently used
    await store.set('c', 'x'.repeat(39), 1000); // 120 > 100: b goes
    expect(store.sizeBytes).toBe(80);
    expect(await store.get('b')).toBeUndefined();
    await store.set('huge', 'x'.repeat(200), 1000); // larger than the whole budget: not stored, nothing evicted
    expect(await store.get('huge')).toBeUndefined();
    expect(store.sizeBytes).toBe(80);
    await store.set('a', 'y', 1000); // a replaced: its old bytes are given back
    expect(store.sizeBytes).toBe(42);
    await store.delete('c');
    expect(store.sizeBytes).toBe(2);
  });

  it('rejects a bad maxBytes, naming it', () => {
    expect(() => new MemoryCacheStore({ maxBytes: 0 })).toThrow(/maxBytes.*0/);
  });

  it('rejects a bad maxEntries, naming it', () => {
    expect(() => new MemoryCacheStore({ maxEntries: 0 })).toThrow(InvalidOptionsError);
    expect(() => new MemoryCacheStore({ maxEntries: 0 })).toThrow(/maxEntries.*0/);
  });
});
