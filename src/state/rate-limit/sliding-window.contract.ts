import { afterEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../../core/fake-clock.js';
import type { SlidingWindowLimiter } from './sliding-window-limiter.js';

/** Two limiters over the same counters (two replicas), the clock both use, and how to release them. */
export interface LimiterPair {
  a: SlidingWindowLimiter;
  b: SlidingWindowLimiter;
  clock: FakeClock;
  close(): Promise<void> | void;
}

const MINUTE = 60_000;

/**
 * The contract every {@link SlidingWindowLimiter} meets — memory and Redis run the same suite.
 * Time is virtual (the limiters stamp entries with the FakeClock), so windows slide without sleeps.
 */
export function slidingWindowContract(label: string, makePair: () => Promise<LimiterPair> | LimiterPair): void {
  describe(`SlidingWindowLimiter contract: ${label}`, () => {
    let pair: LimiterPair | undefined;
    const open = async () => (pair = await makePair());
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('admits exactly the limit across replicas and says when the oldest unit leaves', async () => {
      const { a, b, clock } = await open();
      const verdicts = [];
      for (let i = 0; i < 6; i++) {
        verdicts.push(await (i % 2 ? b : a).take('k', 1, 5, MINUTE));
        await clock.advance(1_000);
      }
      expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, true, true, false]);
      expect(verdicts[4].used).toBe(5);
      expect(verdicts[5].retryAfterMs).toBe(MINUTE - 5_000); // first unit at t0, now t0+5s
    });

    it('slides: units leave the window one by one, exactly windowMs after they were taken', async () => {
      const { a, b, clock } = await open();
      for (let i = 0; i < 3; i++) expect((await a.take('k', 1, 5, MINUTE)).allowed).toBe(true);
      await clock.advance(30_000);
      for (let i = 0; i < 2; i++) expect((await b.take('k', 1, 5, MINUTE)).allowed).toBe(true);
      expect((await a.take('k', 1, 5, MINUTE)).allowed).toBe(false);
      await clock.advance(30_000); // the first three are now exactly windowMs old: out
      expect(await a.used('k', MINUTE)).toBe(2);
      for (let i = 0; i < 3; i++) expect((await b.take('k', 1, 5, MINUTE)).allowed).toBe(true);
      expect((await a.take('k', 1, 5, MINUTE)).allowed).toBe(false);
    });

    it('weighs units by cost (TPM) and records usage known only afterwards', async () => {
      const { a, b } = await open();
      expect((await a.take('tpm', 400, 1_000, MINUTE)).allowed).toBe(true);
      const refused = await b.take('tpm', 700, 1_000, MINUTE);
      expect(refused).toMatchObject({ allowed: false, used: 400 });
      expect((await b.take('tpm', 600, 1_000, MINUTE)).used).toBe(1_000);
      expect(await a.record('tpm', 250, MINUTE)).toBe(1_250);
      expect((await b.take('tpm', 1, 1_000, MINUTE)).allowed).toBe(false);
      expect(await b.used('tpm', MINUTE)).toBe(1_250);
      expect((await a.take('huge', 2_000, 1_000, MINUTE)).retryAfterMs).toBeGreaterThan(0);
    });

    it('is atomic: concurrent takes from both replicas never admit more than the limit', async () => {
      const { a, b } = await open();
      const verdicts = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take('race', 1, 25, MINUTE)));
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(25);
    });

    it('admits nothing under a limit of 0 or below (a negative limit is no licence to skip the check)', async () => {
      const { a } = await open();
      for (const limit of [0, -1, -5]) {
        const d = await a.take(`neg${limit}`, 1, limit, MINUTE);
        expect(d.allowed, `limit ${limit}`).toBe(false);
        expect(d.used).toBe(0);
      }
      expect((await a.take('neg0', 0, 0, MINUTE)).allowed).toBe(true); // nothing asked, nothing refused
    });

    it('keeps keys apart', async () => {
      const { a } = await open();
      expect((await a.take('one', 1, 1, MINUTE)).allowed).toBe(true);
      expect((await a.take('two', 1, 1, MINUTE)).allowed).toBe(true);
      expect((await a.take('one', 1, 1, MINUTE)).allowed).toBe(false);
    });
  });
}
