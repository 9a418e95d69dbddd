import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { createGroupBalancer } from './group-balancer.js';
import { group, share, Simulation } from './test-helpers.js';

describe('power of two choices on peak-EWMA latency (default)', () => {
  it('is the default strategy', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'fast' }, { id: 'slow' }]), { clock, random: seededRandom(1) });
    const picks = new Simulation(balancer, clock, 10, (id) => (id === 'fast' ? 100 : 1_000)).run(1000);
    expect(share(picks.slice(200), 'fast')).toBeGreaterThan(0.8);
  });

  it('sends more than 80% of traffic to a deployment 10x faster after warm-up', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'slow' }, { id: 'fast' }], { balancer: 'p2c-ewma' }), { clock, random: seededRandom(3) });
    const picks = new Simulation(balancer, clock, 20, (id) => (id === 'fast' ? 100 : 1_000)).run(3000);
    expect(share(picks.slice(0, 4), 'fast')).toBe(0.5); // before any sample: balanced by outstanding
    expect(share(picks.slice(500), 'fast')).toBeGreaterThan(0.8);
  });

  it('with three deployments the fast one wins nearly every pair it is drawn into (share near 2/3)', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'fast' }, { id: 'slow-1' }, { id: 'slow-2' }], { balancer: 'p2c-ewma' }), {
      clock,
      random: seededRandom(42),
    });
    const picks = new Simulation(balancer, clock, 20, (id) => (id === 'fast' ? 100 : 1_000)).run(3000);
    // A random pair holds the fast one 2/3 of the time; slow-vs-slow pairs take the rest.
    expect(share(picks.slice(500), 'fast')).toBeGreaterThan(0.62);
    const [fast, slow] = balancer.states();
    expect(fast.latencyEwmaMs).toBeLessThan(slow.latencyEwmaMs);
  });

  it('reacts to a latency spike at once and decays afterwards', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'a' }, { id: 'b' }]), { clock, random: seededRandom(5) });
    const latency = (id: string, now: number) => (id === 'a' && now >= spikeAt && now < spikeAt + 1_000 ? 3_000 : 100);
    const spikeAt = clock.now() + 20_000;
    const sim = new Simulation(balancer, clock, 20, latency);
    sim.run(1000); // 20 s of warm-up, both ~100 ms
    expect(balancer.states()[0].latencyEwmaMs).toBeCloseTo(100, 0);
    // The first slow answer from a lands at spikeAt + 3 s; right after, a's estimate is the spike.
    const duringSpike = sim.run(200); // spikeAt .. spikeAt + 4 s
    // (read while idle, so already decaying: 3000 × e^(-elapsed / 10 s))
    expect(balancer.states()[0].latencyEwmaMs).toBeGreaterThan(2_500);
    expect(share(duringSpike.slice(151), 'a')).toBe(0); // arrivals after spikeAt + 3 s avoid a
    // Once a answers fast again, its estimate decays back and it regains its share.
    const later = sim.run(3000); // 60 s more
    expect(balancer.states()[0].latencyEwmaMs).toBeLessThan(200);
    expect(share(later.slice(2000), 'a')).toBeGreaterThan(0.35);
    expect(share(later.slice(2000), 'a')).toBeLessThan(0.65);
  });

  it('weights scale the cost: a weight-3 deployment takes more of equal-latency traffic', () => {
    const clock = new FakeClock();
    const balancer = createGroupBalancer(group([{ id: 'big', weight: 3 }, { id: 'small' }]), { clock, random: seededRandom(9) });
    const picks = new Simulation(balancer, clock, 10, () => 200).run(2000);
    expect(share(picks.slice(500), 'big')).toBeGreaterThan(0.6);
  });
});
