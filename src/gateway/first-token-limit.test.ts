import { describe, expect, it } from 'vitest';
import { AdaptiveLimitPolicy } from '../core/adaptive-limit.js';
import type { Clock } from '../core/clock.js';
import { FakeClock } from '../core/fake-clock.js';
import { seededRandom } from '../core/random.js';
import { FirstTokenLimit } from './first-token-limit.js';
import * as L from './load-shedding-defaults.js';

/**
 * A discrete-event simulation on virtual time: clients offer requests to a limiter in front of an
 * upstream with `slots` parallel slots and a FIFO queue behind them (an LLM server's batch).
 */
interface Sim {
  now: number;
  events: Array<{ at: number; run: () => void }>;
}
const schedule = (sim: Sim, at: number, run: () => void) => {
  const events = sim.events;
  let i = events.length;
  while (i > 0 && events[i - 1].at > at) i--;
  events.splice(i, 0, { at, run });
};
const runUntil = (sim: Sim, endMs: number) => {
  while (sim.events.length > 0 && sim.events[0].at <= endMs) {
    const next = sim.events.shift()!;
    sim.now = next.at;
    next.run();
  }
  sim.now = endMs;
};
const clockOf = (sim: Sim) => ({ now: () => sim.now }) as unknown as Clock;

class Upstream {
  private busy = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly sim: Sim, private readonly slots: number, private readonly serviceMs: () => number) {}
  call(done: () => void): void {
    const start = () => {
      this.busy++;
      schedule(this.sim, this.sim.now + this.serviceMs(), () => {
        this.busy--;
        this.queue.shift()?.();
        done();
      });
    };
    if (this.busy < this.slots) start();
    else this.queue.push(start);
  }
}

const p99 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
};
const options = (sim: Sim, initialLimit = 100) => ({ initialLimit, minLimit: 10, maxLimit: 5_000, isOverload: () => false, clock: clockOf(sim) });

/** `clients` closed-loop clients, each sending again as soon as it has its answer (or its refusal, after 10 ms). */
function closedLoop(sim: Sim, limit: FirstTokenLimit, upstream: Upstream, clients: number, untilMs: number) {
  let refused = 0;
  let served = 0;
  const send = () => {
    if (sim.now >= untilMs) return;
    if (!limit.tryAcquire(L.DEFAULT_PRIORITY_SHARES.normal)) {
      refused++;
      schedule(sim, sim.now + 10, send);
      return;
    }
    const at = limit.inFlight;
    const started = sim.now;
    upstream.call(() => {
      limit.release(sim.now - started, 0, at);
      served++;
      send();
    });
  };
  for (let i = 0; i < clients; i++) send();
  runUntil(sim, untilMs + 60_000);
  return { refused, served };
}

describe('FirstTokenLimit', () => {
  it('sheds nothing from healthy traffic: 10 clients against a 5 ms upstream with jitter (the Vegas limit it replaces shed ~10 %)', () => {
    const random = seededRandom(7);
    const sim: Sim = { now: 0, events: [] };
    const limit = new FirstTokenLimit(options(sim));
    const upstream = new Upstream(sim, 1_000, () => 2 + random() * 8 + (random() < 0.02 ? 40 : 0));
    const { refused, served } = closedLoop(sim, limit, upstream, 10, 60_000);
    expect(served).toBeGreaterThan(50_000);
    expect(refused).toBe(0);
    expect(limit.limit).toBeGreaterThanOrEqual(20); // it drifted toward twice the concurrency in use, never below
  });

  it('the core Vegas limit, given the same healthy traffic with a low deployment floor, does shed (why it was replaced)', async () => {
    // Same shape as the deployment limit before: initial 50, min 2. Vegas takes the lowest RTT
    // ever seen as "no load", so a 2 ms sample makes every 8 ms one look like a queue.
    const clock = new FakeClock();
    const random = seededRandom(7);
    const vegas = new AdaptiveLimitPolicy({ initialLimit: 50, minLimit: 2, maxLimit: 1_000, clock });
    let refused = 0;
    const call = async () => {
      try {
        await vegas.execute(async () => {
          await clock.advance(0); // let the others start
        });
      } catch {
        refused++;
      }
    };
    for (let round = 0; round < 400; round++) {
      const running = Array.from({ length: 10 }, () => call());
      await clock.advance(2 + random() * 8);
      await Promise.all(running);
    }
    expect(vegas.limit).toBeLessThan(10);
    expect(refused).toBeGreaterThan(0);
  });

  it('keeps mixed answer lengths from looking like load: whole answers of 0.3 s to 20 s, 60 % of the limit in use', () => {
    const random = seededRandom(11);
    const sim: Sim = { now: 0, events: [] };
    const limit = new FirstTokenLimit(options(sim, 50));
    let refused = 0;
    const send = () => {
      if (sim.now >= 600_000) return;
      if (!limit.tryAcquire(1)) {
        refused++;
        schedule(sim, sim.now + 10, send);
        return;
      }
      const at = limit.inFlight;
      const tokens = random() < 0.5 ? 1 + Math.floor(random() * 10) : 200 + Math.floor(random() * 800);
      const elapsed = 300 + tokens * 20; // 0.3 s to 20 s
      schedule(sim, sim.now + elapsed, () => {
        limit.release(elapsed + random() * 100, tokens, at);
        send();
      });
    };
    for (let i = 0; i < 30; i++) send();
    runUntil(sim, 700_000);
    expect(refused).toBe(0);
    expect(limit.limit).toBeGreaterThanOrEqual(50);
  });

  it('at 3x overload keeps the admitted p99 within 2x of the unloaded p99 and refuses low priority first', () => {
    const random = seededRandom(3);
    const sim: Sim = { now: 0, events: [] };
    const limit = new FirstTokenLimit(options(sim));
    const upstream = new Upstream(sim, 20, () => 450 + random() * 100); // capacity ≈ 40 rps
    const results: Array<{ phase: 'calm' | 'overload'; priority: 'normal' | 'low'; ok: boolean; ms: number }> = [];
    const arrive = (phase: 'calm' | 'overload', priority: 'normal' | 'low') => {
      if (!limit.tryAcquire(L.DEFAULT_PRIORITY_SHARES[priority])) {
        results.push({ phase, priority, ok: false, ms: 0 });
        return;
      }
      const at = limit.inFlight;
      const started = sim.now;
      upstream.call(() => {
        limit.release(sim.now - started, 0, at);
        results.push({ phase, priority, ok: true, ms: sim.now - started });
      });
    };
    // Calm: 20 rps for 10 s; then 120 rps (half of it low priority) for 60 s.
    for (let t = 0; t < 10_000; t += 50) schedule(sim, t, () => arrive('calm', 'normal'));
    for (let t = 10_000; t < 70_000; t += 1000 / 120) {
      const low = Math.round(t * 120 / 1000) % 2 === 0;
      schedule(sim, t, () => arrive('overload', low ? 'low' : 'normal'));
    }
    runUntil(sim, 200_000);

    const calm = results.filter((r) => r.phase === 'calm');
    const overload = results.filter((r) => r.phase === 'overload');
    const admitted = overload.filter((r) => r.ok);
    const shedRate = (priority: string) => {
      const list = overload.filter((r) => r.priority === priority);
      return list.filter((r) => !r.ok).length / list.length;
    };
    expect(calm.every((r) => r.ok)).toBe(true);
    expect(p99(admitted.map((r) => r.ms))).toBeLessThanOrEqual(2 * p99(calm.map((r) => r.ms)));
    expect(admitted.length).toBeGreaterThan(60 * 40 * 0.8); // it keeps the upstream busy
    expect(shedRate('low')).toBeGreaterThan(shedRate('normal'));
    expect(overload.filter((r) => !r.ok).length).toBeGreaterThan(overload.length * 0.5);
  });

  it('cuts the limit on overload failures once they are a fifth of recent calls, once per recent latency', () => {
    const sim: Sim = { now: 0, events: [] };
    const limit = new FirstTokenLimit({ ...options(sim), isOverload: () => true });
    for (let i = 0; i < 4; i++) {
      expect(limit.tryAcquire(1)).toBe(true);
      limit.release(NaN, 0, 1, true);
    }
    expect(limit.limit).toBe(100); // four in a row: 18.5 % of recent calls, not yet a signal
    for (let i = 0; i < 5; i++) {
      expect(limit.tryAcquire(1)).toBe(true);
      limit.release(NaN, 0, 1, true);
    }
    expect(limit.limit).toBe(90); // five more at the same moment: one cut
    sim.now += L.MIN_OVERLOAD_CUT_INTERVAL_MS;
    limit.tryAcquire(1);
    limit.release(NaN, 0, 1, true);
    expect(limit.limit).toBe(81);
  });

  it("ignores overload failures that are the dependency's noise (a few percent of calls)", () => {
    const random = seededRandom(5);
    const sim: Sim = { now: 0, events: [] };
    const limit = new FirstTokenLimit(options(sim));
    for (let i = 0; i < 5_000; i++) {
      sim.now += 10;
      limit.tryAcquire(1);
      if (random() < 0.1) limit.release(NaN, 0, 60, true);
      else limit.release(200, 0, 60);
    }
    expect(limit.limit).toBeGreaterThanOrEqual(100);
  });

  it('learns what an answer of each length takes unloaded (first token + per-token time)', () => {
    const sim: Sim = { now: 0, events: [] };
    const limit = new FirstTokenLimit(options(sim));
    for (let i = 0; i < 200; i++) {
      const tokens = (i * 37) % 500;
      limit.tryAcquire(1);
      limit.release(300 + 20 * tokens, tokens, 1);
    }
    expect(limit.predictedMs(0)).toBeCloseTo(300, 0);
    expect(limit.predictedMs(1_000)).toBeCloseTo(20_300, -1);
  });

  it('refuses with the unloaded latency as Retry-After (at least 1 s), and works as a deployment policy', async () => {
    const clock = new FakeClock();
    const limit = new FirstTokenLimit({ initialLimit: 1, minLimit: 1, maxLimit: 1, isOverload: () => false, clock });
    let release!: () => void;
    const first = limit.execute(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(limit.execute(async () => 'second')).rejects.toMatchObject({ name: 'ConcurrencyLimitedError', retryAfterMs: 1000 });
    await clock.advance(1_500);
    release();
    await first;
    expect(limit.predictedMs(0)).toBe(1_500);
    expect(limit.refusal().retryAfterMs).toBe(1_500);
    expect(limit.inFlight).toBe(0);
  });
});
