import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { createGroupBalancer } from './group-balancer.js';
import { group, tally } from './test-helpers.js';

describe('weighted round-robin (smooth, nginx-style)', () => {
  const make = () =>
    createGroupBalancer(group([{ id: 'a', weight: 5 }, { id: 'b', weight: 1 }, { id: 'c', weight: 1 }], { balancer: 'round-robin' }), {
      clock: new FakeClock(),
      random: seededRandom(1),
    });

  it('spreads picks smoothly: weights 5,1,1 give a a b a c a a', () => {
    const balancer = make();
    expect(Array.from({ length: 7 }, () => balancer.pick())).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('matches the weights exactly over every cycle', () => {
    const balancer = make();
    for (let cycle = 0; cycle < 10; cycle++) {
      expect(tally(Array.from({ length: 7 }, () => balancer.pick()))).toEqual({ a: 5, b: 1, c: 1 });
    }
  });

  it('with equal weights is plain round-robin in config order', () => {
    const balancer = createGroupBalancer(group([{ id: 'x' }, { id: 'y' }, { id: 'z' }], { balancer: 'round-robin' }), {
      clock: new FakeClock(),
      random: seededRandom(1),
    });
    expect(Array.from({ length: 6 }, () => balancer.pick())).toEqual(['x', 'y', 'z', 'x', 'y', 'z']);
  });

  it('keeps exact shares among the rest while one is excluded', () => {
    const balancer = make();
    expect(tally(Array.from({ length: 12 }, () => balancer.pick(new Set(['b']))))).toEqual({ a: 10, c: 2 });
  });
});
