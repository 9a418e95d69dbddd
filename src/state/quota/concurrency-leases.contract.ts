import { afterEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../../core/fake-clock.js';
import type { ConcurrencyLeases } from './concurrency-leases.js';

/** Two replicas' views of one lease store (the same object for memory), on one virtual clock. */
export interface LeasesFixture {
  a: ConcurrencyLeases;
  b: ConcurrencyLeases;
  clock: FakeClock;
  close(): Promise<void> | void;
}

/** The contract every {@link ConcurrencyLeases} passes (memory and Redis). */
export function concurrencyLeasesContract(name: string, open: () => Promise<LeasesFixture> | LeasesFixture): void {
  describe(`ConcurrencyLeases contract: ${name}`, () => {
    let fixture: LeasesFixture | undefined;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    it('admits at most `limit` holders across replicas, and frees a slot on release', async () => {
      fixture = await open();
      const { a, b } = fixture;
      const taken = await Promise.all([a.acquire('t', 'a1', 3, 30_000), b.acquire('t', 'b1', 3, 30_000), a.acquire('t', 'a2', 3, 30_000), b.acquire('t', 'b2', 3, 30_000)]);
      expect(taken.filter(Boolean)).toHaveLength(3);
      expect(await a.acquire('other', 'x', 1, 30_000)).toBe(true); // keys are separate
      const holder = ['a1', 'b1', 'a2', 'b2'][taken.indexOf(true)];
      await (holder.startsWith('a') ? a : b).release('t', holder);
      expect(await b.acquire('t', 'b3', 3, 30_000)).toBe(true);
      expect(await a.acquire('t', 'a3', 3, 30_000)).toBe(false);
    });

    it('lets an expired lease go (a crashed replica), and keeps a renewed one', async () => {
      fixture = await open();
      const { a, b, clock } = fixture;
      expect(await a.acquire('t', 'crashed', 2, 10_000)).toBe(true);
      expect(await b.acquire('t', 'alive', 2, 10_000)).toBe(true);
      await clock.advance(6_000);
      await b.renew('t', ['alive'], 10_000);
      await clock.advance(6_000);
      expect(await b.acquire('t', 'new', 2, 10_000)).toBe(true); // the crashed lease expired
      expect(await a.acquire('t', 'late', 2, 10_000)).toBe(false); // the renewed one did not
    });
  });
}
