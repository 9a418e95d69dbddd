import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { BALANCER_NAMES } from './balancer-options.js';
import { createGroupBalancer } from './group-balancer.js';
import { failure, group, ok, tally } from './test-helpers.js';

describe('group balancer properties', () => {
  it('smooth WRR picks every deployment exactly its weight per cycle, for any integer weights', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), (weights) => {
        const balancer = createGroupBalancer(group(weights.map((weight, i) => ({ id: `d${i}`, weight })), { balancer: 'round-robin' }), {
          clock: new FakeClock(),
          random: seededRandom(1),
        });
        const cycle = weights.reduce((a, b) => a + b, 0);
        for (let round = 0; round < 2; round++) {
          const counts = tally(Array.from({ length: cycle }, () => balancer.pick()));
          weights.forEach((weight, i) => expect(counts[`d${i}`]).toBe(weight));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('under any sequence of outcomes and time steps: the cap holds, and picks are usable and from the best usable tier', () => {
    const step = fc.record({
      deployment: fc.nat({ max: 5 }),
      failed: fc.boolean(),
      advanceMs: fc.integer({ min: 0, max: 20_000 }),
      excluded: fc.nat({ max: 5 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...BALANCER_NAMES),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
        fc.array(step, { maxLength: 150 }),
        (name, maxEjectedPercent, priorities, steps) => {
          const clock = new FakeClock();
          const ids = priorities.map((_, i) => `d${i}`);
          const balancer = createGroupBalancer(
            group(ids.map((id, i) => ({ id, priority: priorities[i] })), { balancer: name, ejection: { consecutiveFailures: 2, maxEjectedPercent } }),
            { clock, random: seededRandom(3) },
          );
          const cap = Math.floor(6 * maxEjectedPercent + 1e-9);
          for (const s of steps) {
            clock.setTime(clock.now() + s.advanceMs);
            balancer.start(ids[s.deployment])(s.failed ? failure() : ok(50));
            const states = balancer.states();
            expect(states.filter((d) => d.ejected).length).toBeLessThanOrEqual(cap);
            const exclude = new Set([ids[s.excluded]]);
            const picked = balancer.pick(exclude);
            const usable = states.filter((d) => !d.ejected && !exclude.has(d.id));
            if (usable.length === 0) {
              expect(picked).toBeUndefined();
            } else {
              const bestTier = Math.min(...usable.map((d) => d.priority));
              expect(usable.filter((d) => d.priority === bestTier).map((d) => d.id)).toContain(picked);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
