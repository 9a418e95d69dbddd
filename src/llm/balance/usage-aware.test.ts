import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { createGroupBalancer } from './group-balancer.js';
import { group, ok, tally } from './test-helpers.js';

/** Picks and immediately starts+finishes a call with `tokens`, like the router would. */
function call(balancer: ReturnType<typeof createGroupBalancer>, tokens = 0): string | undefined {
  const id = balancer.pick();
  if (id !== undefined) balancer.start(id)(ok(100, tokens));
  return id;
}

describe('usage-aware balancing (RPM/TPM over a sliding minute)', () => {
  it('splits requests in proportion to RPM budgets and stops at the budget', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'small', rpm: 10 }, { id: 'large', rpm: 30 }], { balancer: 'usage' }), {
      clock,
      random: seededRandom(1),
    });
    expect(tally(Array.from({ length: 40 }, () => call(balancer)))).toEqual({ small: 10, large: 30 });
    expect(balancer.pick()).toBeUndefined();
  });

  it('counts a request when it starts, so in-flight calls use the budget', () => {
    const balancer = createGroupBalancer(group([{ id: 'a', rpm: 2 }], { balancer: 'usage' }), { clock: new FakeClock(), random: seededRandom(1) });
    balancer.start(balancer.pick()!);
    balancer.start(balancer.pick()!);
    expect(balancer.pick()).toBeUndefined();
  });

  it('frees the budget as the minute slides', async () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'a', rpm: 3 }], { balancer: 'usage' }), { clock, random: seededRandom(1) });
    call(balancer);
    await clock.advance(30_000);
    call(balancer);
    call(balancer);
    expect(balancer.pick()).toBeUndefined();
    await clock.advance(30_000); // the first request left the window
    expect(call(balancer)).toBe('a');
    expect(balancer.pick()).toBeUndefined();
  });

  it('picks the deployment with the most TPM left and skips one whose TPM is used up', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(
      group([{ id: 'a', tpm: 1_000 }, { id: 'b', tpm: 1_000 }, { id: 'spare', tpm: 1_000, priority: 1 }], { balancer: 'usage' }),
      { clock, random: seededRandom(1) },
    );
    balancer.start('a')(ok(100, 600)); // a: 40% left, b: 100%
    expect(balancer.pick()).toBe('b');
    balancer.start('b')(ok(100, 900)); // b: 10% left
    expect(balancer.pick()).toBe('a');
    balancer.start('a')(ok(100, 400)); // a: used up
    expect(tally(Array.from({ length: 5 }, () => balancer.pick()))).toEqual({ b: 5 });
    balancer.start('b')(ok(100, 100)); // b: used up → the whole tier is over budget
    expect(balancer.pick()).toBe('spare');
  });

  it('the tighter of RPM and TPM decides', () => {
    const balancer = createGroupBalancer(group([{ id: 'a', rpm: 100, tpm: 1_000 }, { id: 'b', rpm: 10 }], { balancer: 'usage' }), {
      clock: new FakeClock(),
      random: seededRandom(1),
    });
    balancer.start('a')(ok(100, 800)); // a: rpm 99% left, tpm 20% → 20%
    balancer.start('b')(ok(100)); // b: 90% left
    expect(balancer.pick()).toBe('b');
  });

  it('a deployment without limits counts as fully free; ties are broken at random', () => {
    const balancer = createGroupBalancer(group([{ id: 'x' }, { id: 'y' }, { id: 'z', rpm: 1000 }], { balancer: 'usage' }), {
      clock: new FakeClock(),
      random: seededRandom(6),
    });
    balancer.start('z');
    const counts = tally(Array.from({ length: 400 }, () => balancer.pick()));
    expect(counts.z).toBeUndefined();
    expect(counts.x).toBeGreaterThan(150);
    expect(counts.y).toBeGreaterThan(150);
  });
});
