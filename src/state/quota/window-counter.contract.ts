import { afterEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../../core/fake-clock.js';
import { msUntilWindowEnds, type WindowCounter } from './window-counter.js';

/** Two replicas' views of one counter (the same object for memory), on one virtual clock. */
export interface CounterFixture {
  a: WindowCounter;
  b: WindowCounter;
  clock: FakeClock;
  close(): Promise<void> | void;
}

const DAY_MS = 86_400_000;

/** The contract every {@link WindowCounter} passes (memory and Redis). */
export function windowCounterContract(name: string, open: () => Promise<CounterFixture> | CounterFixture): void {
  describe(`WindowCounter contract: ${name}`, () => {
    let fixture: CounterFixture | undefined;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    it('sums what every replica adds in the current window, and starts again in the next one', async () => {
      fixture = await open();
      const { a, b, clock } = fixture;
      expect(await a.add('tokens', 100, DAY_MS)).toBe(100);
      expect(await b.add('tokens', 50, DAY_MS)).toBe(150);
      expect(await a.used('tokens', DAY_MS)).toBe(150);
      expect(await b.used('other', DAY_MS)).toBe(0);
      await clock.advance(msUntilWindowEnds(clock.now(), DAY_MS));
      expect(await a.used('tokens', DAY_MS)).toBe(0);
      expect(await b.add('tokens', 7, DAY_MS)).toBe(7);
    });
  });
}
