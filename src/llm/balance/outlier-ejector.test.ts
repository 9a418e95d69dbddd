import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import type { EjectionConfig } from '../router-config.js';
import type { EjectionEvent } from '../router-events.js';
import { createGroupBalancer } from './group-balancer.js';
import { failure, group, neutral, ok, share, Simulation } from './test-helpers.js';

function setup(size = 4, ejection: EjectionConfig = {}) {
  const clock = new FakeClock();
  const ids = Array.from({ length: size }, (_, i) => `d${i}`);
  const balancer = createGroupBalancer(group(ids.map((id) => ({ id })), { balancer: 'round-robin', ejection }), {
    clock,
    random: seededRandom(1),
    groupName: 'g',
  });
  const events: EjectionEvent[] = [];
  balancer.onEjection((e) => events.push(e));
  const fail = (id: string, times: number) => {
    for (let i = 0; i < times; i++) balancer.start(id)(failure());
  };
  return { clock, balancer, events, fail, t0: clock.now() };
}

describe('outlier ejection', () => {
  it('ejects after 5 consecutive counted failures (default) and says so', () => {
    const { balancer, events, fail, t0 } = setup();
    fail('d0', 4);
    expect(balancer.isEjected('d0')).toBe(false);
    fail('d0', 1);
    expect(balancer.isEjected('d0')).toBe(true);
    expect(events).toEqual([{ group: 'g', deployment: 'd0', ejected: true, durationMs: 30_000, at: t0 }]);
    expect(balancer.states()[0]).toMatchObject({ ejected: true, ejectedUntil: t0 + 30_000, ejections: 1 });
    for (let i = 0; i < 12; i++) expect(balancer.pick()).not.toBe('d0');
  });

  it('a success resets the count; neutral outcomes neither count nor reset', () => {
    const { balancer, fail } = setup();
    fail('d0', 4);
    balancer.start('d0')(ok(10));
    fail('d0', 4);
    expect(balancer.isEjected('d0')).toBe(false);
    for (let i = 0; i < 3; i++) balancer.start('d0')(neutral());
    expect(balancer.isEjected('d0')).toBe(false);
    fail('d0', 1);
    expect(balancer.isEjected('d0')).toBe(true);
  });

  it('re-admits when the ejection time has passed (lazily, dated when it ended)', async () => {
    const { clock, balancer, events, fail, t0 } = setup();
    fail('d0', 5);
    await clock.advance(29_999);
    expect(balancer.isEjected('d0')).toBe(true);
    await clock.advance(5_001); // looked at 5 s late
    expect(balancer.isEjected('d0')).toBe(false);
    expect(events[1]).toEqual({ group: 'g', deployment: 'd0', ejected: false, at: t0 + 30_000 });
    expect(clock.pendingTimers).toBe(0); // no timers used
  });

  it('re-admission also happens on pick, which can then choose it again', async () => {
    const { clock, balancer, fail } = setup(2, { maxEjectedPercent: 1, slowStartMs: 0 });
    fail('d0', 5);
    fail('d1', 5);
    expect(balancer.pick()).toBeUndefined();
    await clock.advance(30_000);
    expect(new Set([balancer.pick(), balancer.pick()])).toEqual(new Set(['d0', 'd1']));
  });

  it('each recent ejection lasts longer (base × n), up to the cap', async () => {
    const { clock, fail, events } = setup(2, { baseEjectionMs: 100_000, maxEjectionMs: 250_000 });
    for (let round = 0; round < 4; round++) {
      fail('d0', 5);
      await clock.advance(events.at(-1)!.durationMs!);
    }
    expect(events.filter((e) => e.ejected).map((e) => e.durationMs)).toEqual([100_000, 200_000, 250_000, 250_000]);
  });

  it('the multiplier drops by one for each full maxEjectionMs spent healthy in rotation', async () => {
    const { clock, fail, events } = setup(2);
    fail('d0', 5); // 30 s
    await clock.advance(30_000);
    fail('d0', 5); // 60 s
    await clock.advance(60_000 + 300_000); // back, then 300 s in rotation
    fail('d0', 5); // level 2 - 1 + 1 = 2 → 60 s
    await clock.advance(60_000 + 299_999);
    fail('d0', 5); // not a full period: level 3 → 90 s
    expect(events.filter((e) => e.ejected).map((e) => e.durationMs)).toEqual([30_000, 60_000, 60_000, 90_000]);
  });

  it('never ejects more than floor(size × maxEjectedPercent); the next failure ejects once there is room', async () => {
    const { clock, balancer, fail } = setup(4); // 4 × 0.5 = 2
    fail('d0', 5);
    await clock.advance(10_000);
    fail('d1', 5);
    fail('d2', 7);
    expect(balancer.states().map((s) => s.ejected)).toEqual([true, true, false, false]);
    await clock.advance(20_000); // d0 comes back
    fail('d2', 1);
    expect(balancer.states().map((s) => s.ejected)).toEqual([false, true, true, false]);
  });

  it.each([
    [1, 0.5, 0],
    [2, 0.5, 1],
    [3, 0.5, 1],
    [5, 0.5, 2],
    [10, 0.3, 3],
    [1, 1, 1],
    [3, 0, 0],
  ])('a group of %i with maxEjectedPercent %f ejects at most %i', (size, percent, most) => {
    const { balancer, fail } = setup(size, { maxEjectedPercent: percent });
    for (let i = 0; i < size; i++) fail(`d${i}`, 5);
    expect(balancer.states().filter((s) => s.ejected).length).toBe(most);
  });

  it('a single deployment is never ejected by default, so the group keeps answering', () => {
    const { balancer, fail } = setup(1);
    fail('d0', 50);
    expect(balancer.pick()).toBe('d0');
  });

  it('late outcomes of an ejected deployment do not extend its ejection', async () => {
    const { clock, balancer, fail, events } = setup(2);
    const inFlight = balancer.start('d0');
    fail('d0', 5);
    await clock.advance(10_000);
    inFlight(failure());
    await clock.advance(20_000);
    expect(balancer.isEjected('d0')).toBe(false);
    expect(events.filter((e) => e.ejected)).toHaveLength(1);
  });
});

describe('slow start after re-admission', () => {
  it('ramps the share linearly from 0.1 to 1 over slowStartMs (default 30 s)', async () => {
    const { clock, balancer, fail } = setup(2);
    fail('d0', 5);
    await clock.advance(30_000);
    const factors: number[] = [];
    for (let s = 0; s <= 35; s += 5) {
      factors.push(balancer.states()[0].slowStartFactor);
      await clock.advance(5_000);
    }
    const expected = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1, 1];
    factors.forEach((f, i) => expect(f).toBeCloseTo(expected[i], 9));
    expect(balancer.states()[1].slowStartFactor).toBe(1);
  });

  it('round-robin gives the re-admitted deployment weight × factor', async () => {
    const { clock, balancer, fail } = setup(2);
    fail('d0', 5);
    await clock.advance(30_000 + 15_000); // factor 0.55: d0's share is 0.55 / 1.55
    const counts = { d0: 0, d1: 0 } as Record<string, number>;
    for (let i = 0; i < 310; i++) counts[balancer.pick()!]++;
    expect(counts.d0).toBeGreaterThanOrEqual(109);
    expect(counts.d0).toBeLessThanOrEqual(111);
  });

  it('least-outstanding does not send everything to the idle re-admitted deployment', async () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'a' }, { id: 'b' }], { balancer: 'least-outstanding', ejection: { maxEjectedPercent: 1 } }), {
      clock,
      random: seededRandom(4),
    });
    for (let i = 0; i < 5; i++) balancer.start('a')(failure());
    await clock.advance(30_000);
    for (let i = 0; i < 4; i++) balancer.start('b'); // b busy with 4, a idle but factor 0.1
    expect(balancer.pick()).toBe('b'); // a scores (0 + 1) / 0.1 = 10 > b's 5
    await clock.advance(30_000);
    expect(balancer.pick()).toBe('a');
  });

  it('p2c sends a smaller share to a re-admitted deployment than without slow start', async () => {
    const readmittedShare = async (slowStartMs: number) => {
      const clock = new FakeClock();
      const balancer = createGroupBalancer(group([{ id: 'a' }, { id: 'b' }], { ejection: { slowStartMs } }), { clock, random: seededRandom(4) });
      const sim = new Simulation(balancer, clock, 10, () => 100);
      sim.run(500);
      for (let i = 0; i < 5; i++) balancer.start('a')(failure(100));
      sim.run(3_000); // 30 s: a is ejected, then re-admitted
      const early = share(sim.run(300), 'a'); // the first 3 s after re-admission
      sim.run(2_700);
      const late = share(sim.run(1_000), 'a'); // 30–40 s after re-admission
      return { early, late };
    };
    const withRamp = await readmittedShare(30_000);
    const withoutRamp = await readmittedShare(0);
    expect(withoutRamp.early).toBeGreaterThan(0.45);
    expect(withRamp.early).toBeLessThan(0.2);
    expect(withRamp.late).toBeGreaterThan(0.45);
  });

  it('a zero slowStartMs re-admits at full share', async () => {
    const { clock, balancer, fail } = setup(2, { slowStartMs: 0 });
    fail('d0', 5);
    await clock.advance(30_000);
    expect(balancer.states()[0].slowStartFactor).toBe(1);
  });
});
