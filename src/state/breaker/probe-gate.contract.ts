import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeGate } from '../../core/circuit-breaker/probe-gate.js';

/** Two gates over the same permits (two replicas) and how to release them. */
export interface GatePair {
  a: ProbeGate;
  b: ProbeGate;
  close(): Promise<void> | void;
}

/** The contract every {@link ProbeGate} meets; memory and Redis run the same suite. */
export function probeGateContract(label: string, makePair: () => Promise<GatePair> | GatePair): void {
  describe(`ProbeGate contract: ${label}`, () => {
    let pair: GatePair | undefined;
    const open = async () => (pair = await makePair());
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('grants at most maxCalls permits per name across replicas; a release frees one', async () => {
      const { a, b } = await open();
      expect(await a.acquire('svc', 2)).toBe(true);
      expect(await b.acquire('svc', 2)).toBe(true);
      expect(await a.acquire('svc', 2)).toBe(false);
      expect(await b.acquire('svc', 2)).toBe(false);
      expect(await b.acquire('other', 2)).toBe(true);
      a.release('svc');
      await expect.poll(() => b.acquire('svc', 2)).toBe(true);
      expect(await a.acquire('svc', 2)).toBe(false);
    });

    it('a release without a permit held changes nothing', async () => {
      const { a, b } = await open();
      a.release('svc');
      expect(await b.acquire('svc', 1)).toBe(true);
      expect(await a.acquire('svc', 1)).toBe(false);
    });
  });
}
