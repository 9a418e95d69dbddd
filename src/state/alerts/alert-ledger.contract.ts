import { afterEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../../core/fake-clock.js';
import type { AlertLedger } from './alert-ledger.js';

/** Two replicas' views of one ledger (the same object for memory), on one virtual clock. */
export interface AlertLedgerFixture {
  a: AlertLedger;
  b: AlertLedger;
  clock: FakeClock;
  close(): Promise<void> | void;
}

const HOLD_MS = 30_000;

/** The contract every {@link AlertLedger} passes (memory and Redis). */
export function alertLedgerContract(name: string, open: () => Promise<AlertLedgerFixture> | AlertLedgerFixture): void {
  describe(`AlertLedger contract: ${name}`, () => {
    let fixture: AlertLedgerFixture | undefined;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    it('sends one firing and one resolved per incident, whichever replicas see it', async () => {
      fixture = await open();
      const { a, b } = fixture;
      expect(await a.fire('error_rate:route/x', 'A', HOLD_MS)).toBe(true);
      expect(await b.fire('error_rate:route/x', 'B', HOLD_MS)).toBe(false); // the same incident
      expect(await a.resolve('error_rate:route/x', 'A')).toBe(false); // B still sees it
      expect(await b.resolve('error_rate:route/x', 'B')).toBe(true); // the last holder resolves
      expect(await b.resolve('error_rate:route/x', 'B')).toBe(false); // once
      expect(await b.fire('error_rate:route/x', 'B', HOLD_MS)).toBe(true); // a new incident
    });

    it('keeps incidents apart by id, and ignores a resolve from a replica that never held it', async () => {
      fixture = await open();
      const { a, b } = fixture;
      expect(await a.fire('breaker_opened:d1', 'A', HOLD_MS)).toBe(true);
      expect(await b.fire('breaker_opened:d2', 'B', HOLD_MS)).toBe(true);
      expect(await b.resolve('breaker_opened:d1', 'B')).toBe(false);
      expect(await a.resolve('breaker_opened:d1', 'A')).toBe(true);
    });

    it('gives one repeat per interval to the whole cluster', async () => {
      fixture = await open();
      const { a, b, clock } = fixture;
      await a.fire('p:g', 'A', HOLD_MS);
      await b.fire('p:g', 'B', HOLD_MS);
      expect(await a.repeat('p:g', 10_000)).toBe(false); // too early
      await clock.advance(10_000);
      await a.hold('p:g', 'A', HOLD_MS);
      await b.hold('p:g', 'B', HOLD_MS);
      const claims = await Promise.all([a.repeat('p:g', 10_000), b.repeat('p:g', 10_000)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await a.repeat('unknown:x', 10_000)).toBe(false);
    });

    it('lets a crashed holder go after its hold: the survivor resolves the incident', async () => {
      fixture = await open();
      const { a, b, clock } = fixture;
      await a.fire('d:redis', 'A', HOLD_MS);
      await b.fire('d:redis', 'B', HOLD_MS);
      await clock.advance(HOLD_MS / 2);
      await b.hold('d:redis', 'B', HOLD_MS); // A crashed: it holds no more
      await clock.advance(HOLD_MS / 2 + 1);
      expect(await b.resolve('d:redis', 'B')).toBe(true);
    });
  });
}
