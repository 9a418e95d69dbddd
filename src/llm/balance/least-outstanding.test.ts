import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { createGroupBalancer } from './group-balancer.js';
import { group, ok, tally } from './test-helpers.js';

const make = (seed = 1) =>
  createGroupBalancer(group([{ id: 'a' }, { id: 'b' }, { id: 'c' }], { balancer: 'least-outstanding' }), {
    clock: new FakeClock(),
    random: seededRandom(seed),
  });

describe('least outstanding requests', () => {
  it('picks the idle deployment', () => {
    const balancer = make();
    balancer.start('a');
    balancer.start('b');
    balancer.start('b');
    for (let i = 0; i < 20; i++) expect(balancer.pick()).toBe('c');
  });

  it('picks the least busy when none is idle, and follows completions', () => {
    const balancer = make();
    const doneA = balancer.start('a');
    balancer.start('b');
    balancer.start('b');
    balancer.start('c');
    balancer.start('c');
    balancer.start('c');
    expect(balancer.pick()).toBe('a');
    doneA(ok(10));
    expect(balancer.pick()).toBe('a');
    expect(balancer.states().map((s) => s.outstanding)).toEqual([0, 2, 3]);
  });

  it('breaks ties at random, driven by the injected source', () => {
    const picks = Array.from({ length: 3000 }, ((balancer) => () => balancer.pick())(make(7)));
    const counts = tally(picks);
    for (const id of ['a', 'b', 'c']) expect(counts[id]).toBeGreaterThan(900);
    // Same seed, same sequence; another seed, another sequence.
    const again = make(7);
    expect(Array.from({ length: 50 }, () => again.pick())).toEqual(picks.slice(0, 50));
    const other = make(8);
    expect(Array.from({ length: 50 }, () => other.pick())).not.toEqual(picks.slice(0, 50));
  });

  it('breaks ties only among the least busy', () => {
    const balancer = make(3);
    balancer.start('a');
    expect(tally(Array.from({ length: 200 }, () => balancer.pick())).a).toBeUndefined();
  });
});
