import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../core/fake-clock.js';
import type { CacheStore } from './cache-store.js';

/**
 * The contract every {@link CacheStore} passes (memory here; Redis with the scale-out work).
 * `make` returns a fresh, empty store plus a way to let `ms` of store time pass: a FakeClock
 * advance for the memory store, a real wait (kept short) for a networked store with server TTLs.
 */
export function describeCacheStore(
  name: string,
  make: () => Promise<{ store: CacheStore; pass: (ms: number) => Promise<void>; clock?: FakeClock }>,
): void {
  describe(`CacheStore contract: ${name}`, () => {
    it('returns what was set, undefined for unknown keys', async () => {
      const { store } = await make();
      await store.set('a', '{"x":1}', 10_000);
      expect(await store.get('a')).toBe('{"x":1}');
      expect(await store.get('missing')).toBeUndefined();
      await store.close?.();
    });

    it('replaces a value on set and forgets it on delete', async () => {
      const { store } = await make();
      await store.set('a', 'one', 10_000);
      await store.set('a', 'two', 10_000);
      expect(await store.get('a')).toBe('two');
      await store.delete('a');
      await store.delete('never-set');
      expect(await store.get('a')).toBeUndefined();
      await store.close?.();
    });

    it('expires a value after its TTL', async () => {
      const { store, pass } = await make();
      await store.set('short', 'v', 50);
      await store.set('long', 'v', 60_000);
      await pass(120);
      expect(await store.get('short')).toBeUndefined();
      expect(await store.get('long')).toBe('v');
      await store.close?.();
    });

    it('keeps unicode and large values intact', async () => {
      const { store } = await make();
      const value = JSON.stringify({ text: 'héllo 🌍 '.repeat(5_000) });
      await store.set('big', value, 10_000);
      expect(await store.get('big')).toBe(value);
      await store.close?.();
    });
  });
}
