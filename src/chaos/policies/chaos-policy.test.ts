import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { InjectedFaultError, InvalidOptionsError } from '../../core/errors.js';
import { pipeline } from '../../core/pipeline.js';
import { retry } from '../../core/retry.js';
import { seededRandom } from '../../core/random.js';
import { CHAOS_DEFAULTS, chaosFault, chaosLatency, chaosOutcome } from './chaos-policy.js';

describe('chaos policies', () => {
  it('defaults are pinned', () => {
    expect(CHAOS_DEFAULTS).toEqual({ injectionRate: 0.1, enabled: true });
  });

  it('injects faults at the configured rate, from the injected random source', async () => {
    const chaos = chaosFault({ injectionRate: 0.25, random: seededRandom(1) });
    let failures = 0;
    for (let i = 0; i < 2000; i++) {
      await chaos.execute(() => 'ok').catch((error) => {
        expect(error).toBeInstanceOf(InjectedFaultError);
        failures++;
      });
    }
    expect(failures / 2000).toBeGreaterThan(0.22);
    expect(failures / 2000).toBeLessThan(0.28);
  });

  it('is the same sequence for the same seed (replayable experiments)', async () => {
    const outcomes = async () => {
      const chaos = chaosFault({ injectionRate: 0.5, random: seededRandom(99) });
      const seen: boolean[] = [];
      for (let i = 0; i < 50; i++) seen.push(await chaos.execute(() => true).catch(() => false));
      return seen;
    };
    expect(await outcomes()).toEqual(await outcomes());
  });

  it('can be switched off and its rate changed at runtime', async () => {
    const chaos = chaosFault({ injectionRate: 1 });
    await expect(chaos.execute(() => 'real')).rejects.toBeInstanceOf(InjectedFaultError);
    chaos.enabled = false;
    await expect(chaos.execute(() => 'real')).resolves.toBe('real');
    chaos.enabled = true;
    chaos.injectionRate = 0;
    await expect(chaos.execute(() => 'real')).resolves.toBe('real');
    expect(() => { chaos.injectionRate = 1.5; }).toThrow(InvalidOptionsError);
  });

  it('adds latency on the injected clock before the real call', async () => {
    const clock = new FakeClock(0);
    const chaos = chaosLatency({ injectionRate: 1, latencyMs: 300, clock });
    let called = false;
    const done = chaos.execute(() => { called = true; return clock.now(); });
    await clock.advance(299);
    expect(called).toBe(false);
    await clock.advance(1);
    await expect(done).resolves.toBe(300);
  });

  it('substitutes an outcome without calling the operation', async () => {
    const chaos = chaosOutcome({ injectionRate: 1, outcome: () => 'canned' });
    let called = false;
    await expect(chaos.execute(() => { called = true; return 'real'; })).resolves.toBe('canned');
    expect(called).toBe(false);
  });

  it('inside a pipeline, the policies around it handle the injected fault (retry recovers)', async () => {
    const clock = new FakeClock(0);
    let n = 0;
    const chaos = chaosFault({ injectionRate: 1 });
    chaos.onInjected(() => {
      if (++n === 2) chaos.enabled = false; // two injected failures, then the dependency recovers
    });
    const guarded = pipeline(retry({ maxAttempts: 3, clock, random: seededRandom(3) }), chaos);
    const result = guarded.execute(({ attempt }) => `answered on attempt ${attempt}`);
    await clock.runAll();
    await expect(result).resolves.toBe('answered on attempt 3');
  });
});
