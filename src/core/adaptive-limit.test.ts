import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_LIMIT_DEFAULT_BACKOFF_RATIO, ADAPTIVE_LIMIT_DEFAULT_INITIAL_LIMIT, ADAPTIVE_LIMIT_DEFAULT_MAX_LIMIT,
  ADAPTIVE_LIMIT_DEFAULT_MIN_LIMIT, ADAPTIVE_LIMIT_DEFAULT_PRIORITIES, ADAPTIVE_LIMIT_DEFAULT_PROBE_INTERVAL, adaptiveLimit,
  type AdaptiveLimitPolicy,
} from './adaptive-limit.js';
import { ConcurrencyLimitedError, InvalidOptionsError, TimeoutError } from './errors.js';
import { FakeClock } from './fake-clock.js';

/**
 * A dependency with `capacity` workers: up to `capacity` concurrent calls take `baseMs`; beyond
 * that the extra calls queue, so latency grows in proportion (latency = base × inFlight / capacity).
 */
function simulate(limiter: AdaptiveLimitPolicy, clock: FakeClock, opts: { clients: number; capacity: number; baseMs: number; durationMs: number }) {
  let dependencyInFlight = 0;
  let shed = 0;
  let served = 0;
  let latencySum = 0;
  let stopped = false;
  const call = () =>
    new Promise<void>((resolve) => {
      dependencyInFlight++;
      const latency = opts.baseMs * Math.max(1, dependencyInFlight / opts.capacity);
      clock.setTimeout(() => {
        dependencyInFlight--;
        resolve();
      }, latency);
    });
  const client = async () => {
    while (!stopped) {
      const start = clock.now();
      try {
        await limiter.execute(call);
        served++;
        latencySum += clock.now() - start;
      } catch (error) {
        if (!(error instanceof ConcurrencyLimitedError)) throw error;
        shed++;
        await new Promise<void>((r) => clock.setTimeout(r, 10));
      }
    }
  };
  const clients = Array.from({ length: opts.clients }, client);
  return {
    async run() {
      for (let t = 0; t < opts.durationMs; t += 50) await clock.advance(50);
      stopped = true;
      await clock.runAll();
      await Promise.all(clients);
      return { shed, served, meanLatencyMs: latencySum / Math.max(1, served) };
    },
  };
}

describe('adaptiveLimit', () => {
  it('pins its defaults', () => {
    expect(ADAPTIVE_LIMIT_DEFAULT_INITIAL_LIMIT).toBe(20);
    expect(ADAPTIVE_LIMIT_DEFAULT_MIN_LIMIT).toBe(1);
    expect(ADAPTIVE_LIMIT_DEFAULT_MAX_LIMIT).toBe(1000);
    expect(ADAPTIVE_LIMIT_DEFAULT_BACKOFF_RATIO).toBe(0.9);
    expect(ADAPTIVE_LIMIT_DEFAULT_PROBE_INTERVAL).toBe(1000);
    expect(ADAPTIVE_LIMIT_DEFAULT_PRIORITIES).toEqual({ critical: 1, normal: 1, low: 0.8 });
    expect(adaptiveLimit().limit).toBe(20);
  });

  it('validates options, naming field and value', () => {
    expect(() => adaptiveLimit({ minLimit: 0 })).toThrow(InvalidOptionsError);
    expect(() => adaptiveLimit({ minLimit: 0 })).toThrow(/minLimit.*0/);
    expect(() => adaptiveLimit({ minLimit: 5, maxLimit: 4 })).toThrow(/maxLimit.*4/);
    expect(() => adaptiveLimit({ initialLimit: 50, maxLimit: 10 })).toThrow(/initialLimit.*50/);
    expect(() => adaptiveLimit({ priorities: { low: 1.5 } })).toThrow(/priorities\.low.*1\.5/);
    expect(() => adaptiveLimit().forPriority('urgent')).toThrow(/priority.*urgent/);
  });

  it('sheds at once above the limit, without queueing', async () => {
    const limiter = adaptiveLimit({ initialLimit: 2, minLimit: 1, maxLimit: 2, clock: new FakeClock() });
    const hold = new Promise<void>(() => {});
    void limiter.execute(() => hold);
    void limiter.execute(() => hold);
    await Promise.resolve();
    expect(limiter.inFlight).toBe(2);
    const error = await limiter.execute(() => 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyLimitedError);
    expect((error as ConcurrencyLimitedError).limit).toBe(2);
  });

  it('grows while latency stays at the no-load RTT', async () => {
    const clock = new FakeClock();
    const limiter = adaptiveLimit({ initialLimit: 5, clock });
    // Capacity far above the clients: latency never rises.
    const result = await simulate(limiter, clock, { clients: 40, capacity: 1000, baseMs: 100, durationMs: 5_000 }).run();
    expect(limiter.limit).toBeGreaterThanOrEqual(40);
    expect(limiter.noLoadRttMs).toBe(100);
    expect(result.served).toBeGreaterThan(1000);
  });

  it('settles near the dependency capacity when queueing appears, shedding the excess', async () => {
    const clock = new FakeClock();
    const limiter = adaptiveLimit({ initialLimit: 50, clock });
    const changes: number[] = [];
    limiter.onLimitChange((e) => changes.push(e.limit));
    const result = await simulate(limiter, clock, { clients: 100, capacity: 10, baseMs: 100, durationMs: 20_000 }).run();
    expect(limiter.limit).toBeGreaterThanOrEqual(8);
    expect(limiter.limit).toBeLessThanOrEqual(25);
    expect(Math.min(...changes)).toBeLessThan(50);
    expect(result.shed).toBeGreaterThan(0);
    // Admitted calls see bounded queueing (an unlimited 100 clients would see ~1000 ms).
    expect(result.meanLatencyMs).toBeLessThan(300);
    // Virtual time throughout; the limit only bounds the CPU 20 simulated seconds of 100 clients
    // take (~6 s on an idle 2-core machine, 5x that when it is shared).
  }, 120_000);

  it('cuts the limit on an overload failure (timeout by default), not on others', async () => {
    const limiter = adaptiveLimit({ initialLimit: 20, clock: new FakeClock() });
    await limiter.execute(() => Promise.reject(new Error('400 bad request'))).catch(() => {});
    expect(limiter.limit).toBe(20);
    await limiter.execute(() => Promise.reject(new TimeoutError(10))).catch(() => {});
    expect(limiter.limit).toBe(18);
  });

  it('sheds low priority first: low is admitted only below its share of the limit', async () => {
    const limiter = adaptiveLimit({ initialLimit: 10, minLimit: 10, maxLimit: 10, clock: new FakeClock() });
    const low = limiter.forPriority('low');
    const critical = limiter.forPriority('critical');
    const hold = new Promise<void>(() => {});
    for (let i = 0; i < 8; i++) void limiter.execute(() => hold);
    await Promise.resolve();
    await expect(low.execute(() => 'low')).rejects.toBeInstanceOf(ConcurrencyLimitedError);
    void critical.execute(() => hold);
    void limiter.execute(() => hold);
    await Promise.resolve();
    expect(limiter.inFlight).toBe(10);
    await expect(critical.execute(() => 'c')).rejects.toBeInstanceOf(ConcurrencyLimitedError);
  });
});
