import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { seededRandom } from '../../core/random.js';
import type { ModelGroupConfig } from '../router-config.js';
import { BALANCER_NAMES } from './balancer-options.js';
import { createGroupBalancer } from './group-balancer.js';
import { failure, group, ok, tally } from './test-helpers.js';

const tiered = (balancer: ModelGroupConfig['balancer'] = 'round-robin') =>
  group(
    [
      { id: 'east-1', priority: 0 },
      { id: 'west-1', priority: 1 },
      { id: 'east-2', priority: 0 },
      { id: 'backup', priority: 2 },
    ],
    { balancer, ejection: { maxEjectedPercent: 1, consecutiveFailures: 1 } },
  );

const picks = (n: number, pick: () => string | undefined) => tally(Array.from({ length: n }, pick));

describe('group balancer: priority tiers', () => {
  it('uses only the lowest tier while any of it is usable', () => {
    const balancer = createGroupBalancer(tiered(), { clock: new FakeClock(), random: seededRandom(1) });
    expect(picks(10, () => balancer.pick())).toEqual({ 'east-1': 5, 'east-2': 5 });
  });

  it('fails over tier by tier only when a whole tier is unusable', () => {
    const down = new Set<string>();
    const balancer = createGroupBalancer(tiered(), { clock: new FakeClock(), random: seededRandom(1), isAvailable: (id) => !down.has(id) });
    down.add('east-1');
    expect(picks(4, () => balancer.pick())).toEqual({ 'east-2': 4 });
    expect(picks(4, () => balancer.pick(new Set(['east-2'])))).toEqual({ 'west-1': 4 });
    down.add('west-1');
    expect(picks(4, () => balancer.pick(new Set(['east-2'])))).toEqual({ backup: 4 });
    down.clear();
    expect(picks(4, () => balancer.pick())).toEqual({ 'east-1': 2, 'east-2': 2 });
  });

  it('treats ejected deployments as unusable for the tier decision', () => {
    const balancer = createGroupBalancer(tiered(), { clock: new FakeClock(), random: seededRandom(1) });
    balancer.start('east-1')(failure());
    expect(balancer.isEjected('east-1')).toBe(true);
    expect(picks(4, () => balancer.pick())).toEqual({ 'east-2': 4 });
    balancer.start('east-2')(failure());
    expect(picks(4, () => balancer.pick())).toEqual({ 'west-1': 4 });
  });

  it('sorts tiers by number, not by config order, and keeps config order in views', () => {
    const balancer = createGroupBalancer(group([{ id: 'b', priority: 5 }, { id: 'a', priority: -1 }]), { clock: new FakeClock(), random: seededRandom(1) });
    expect(balancer.pick()).toBe('a');
    expect(balancer.states().map((s) => [s.id, s.priority])).toEqual([['b', 5], ['a', -1]]);
  });
});

describe.each(BALANCER_NAMES)('group balancer with %s', (name) => {
  it('never returns an excluded deployment', () => {
    const balancer = createGroupBalancer(tiered(name), { clock: new FakeClock(), random: seededRandom(2) });
    const exclude = new Set(['east-1']);
    expect(picks(50, () => balancer.pick(exclude))).toEqual({ 'east-2': 50 });
  });

  it('returns undefined when nothing is usable', () => {
    const balancer = createGroupBalancer(tiered(name), { clock: new FakeClock(), random: seededRandom(2), isAvailable: (id) => id !== 'backup' });
    expect(balancer.pick(new Set(['east-1', 'east-2', 'west-1']))).toBeUndefined();
    expect(balancer.pick(new Set(['east-1', 'east-2', 'west-1', 'backup']))).toBeUndefined();
  });
});

describe('group balancer: calls', () => {
  it('start counts outstanding calls and done settles them once, however often called', () => {
    const balancer = createGroupBalancer(group([{ id: 'a' }]), { clock: new FakeClock(), random: seededRandom(1) });
    const done = balancer.start('a');
    balancer.start('a');
    expect(balancer.states()[0].outstanding).toBe(2);
    done(ok(10));
    done(ok(10));
    expect(balancer.states()[0].outstanding).toBe(1);
  });

  it('rejects start on an id outside the group', () => {
    const balancer = createGroupBalancer(group([{ id: 'a' }]), { clock: new FakeClock(), random: seededRandom(1) });
    expect(() => balancer.start('zz')).toThrow(InvalidOptionsError);
    expect(balancer.isEjected('zz')).toBe(false);
  });

  it('reports a view of every deployment', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'a', weight: 2 }, { id: 'b', priority: 1 }]), { clock, random: seededRandom(1) });
    balancer.start('a')(ok(250));
    expect(balancer.states()).toEqual([
      { id: 'a', priority: 0, weight: 2, outstanding: 0, latencyEwmaMs: 250, ejected: false, ejections: 0, slowStartFactor: 1 },
      { id: 'b', priority: 1, weight: 1, outstanding: 0, latencyEwmaMs: 1_000, ejected: false, ejections: 0, slowStartFactor: 1 },
    ]);
  });

  it('a failure never lowers the latency estimate (a fast-failing deployment must not attract traffic)', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'a' }, { id: 'b' }]), { clock, random: seededRandom(1) });
    balancer.start('a')(ok(800));
    balancer.start('b')(ok(800));
    clock.setTime(clock.now() + 1_000);
    balancer.start('a')(failure(5));
    const [a, b] = balancer.states();
    expect(a.latencyEwmaMs).toBe(800);
    expect(b.latencyEwmaMs).toBeLessThan(800); // idle decay for the one without news
  });
});
