import { describe, expect, it } from 'vitest';
import { sleep } from '../clock.js';
import { BrokenCircuitError, CancelledError, InvalidOptionsError } from '../errors.js';
import { FakeClock } from '../fake-clock.js';
import { seededRandom } from '../random.js';
import { CircuitBreaker, circuitBreaker } from './circuit-breaker.js';
import { failOn } from './classify.js';
import { ConsecutiveBreaker } from './consecutive-breaker.js';
import { CountWindowBreaker } from './count-window-breaker.js';
import { TimeWindowBreaker } from './time-window-breaker.js';
import type { ErrorClassification } from './types.js';
import { deferred, fail, failTimes, recordTransitions, succeed } from './test-helpers.js';

function make(options: ConstructorParameters<typeof CircuitBreaker>[0] = {}) {
  const clock = new FakeClock();
  const breaker = new CircuitBreaker({ clock, strategy: new ConsecutiveBreaker(2), openMs: 1000, ...options });
  return { clock, breaker };
}

describe('CircuitBreaker: closed → open', () => {
  it('opens when the strategy says so and then fails fast without calling the operation', async () => {
    const { breaker } = make();
    const { events } = recordTransitions(breaker);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('open');
    expect(events[0]).toMatchObject({ from: 'closed', to: 'open', reason: '2 consecutive failures', remote: false });
    let called = 0;
    const error = await breaker.execute(() => ++called).catch((e) => e);
    expect(called).toBe(0);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(error.retryAfterMs).toBe(1000);
    expect(breaker.retryAfterMs).toBe(1000);
  });

  it('operation results and errors pass through untouched', async () => {
    const { breaker } = make();
    const original = new TypeError('x');
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    await expect(breaker.execute(() => Promise.reject(original))).rejects.toBe(original);
    await expect(breaker.execute(() => { throw original; })).rejects.toBe(original); // synchronous throw
  });

  it('works with a count-window strategy', async () => {
    const { breaker } = make({ strategy: new CountWindowBreaker({ windowSize: 4, minimumCalls: 4, failureRateThreshold: 0.5 }) });
    await breaker.execute(succeed);
    await breaker.execute(succeed);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().reason).toBe('failure rate 50% >= 50% over 4 calls');
  });

  it('works with a time-window strategy and slow calls measured on the clock', async () => {
    const { clock, breaker } = make({
      strategy: new TimeWindowBreaker({ windowMs: 10_000, buckets: 10, minimumCalls: 2, failureRateThreshold: 1, slowCallDurationMs: 500, slowCallRateThreshold: 1 }),
    });
    const slow = () => sleep(clock, 600).then(() => 'late');
    const p1 = breaker.execute(slow);
    await clock.advance(600);
    await expect(p1).resolves.toBe('late');
    expect(breaker.state).toBe('closed');
    const p2 = breaker.execute(slow);
    await clock.advance(600);
    await p2;
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().reason).toMatch(/slow-call rate 100%/);
  });
});

describe('CircuitBreaker: half-open', () => {
  it('goes half-open only after the open period, lazily, then closes on a successful probe', async () => {
    const { clock, breaker } = make();
    const { list } = recordTransitions(breaker);
    await failTimes(breaker, 2);
    await clock.advance(999);
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(BrokenCircuitError);
    await clock.advance(1);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(list).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('allows halfOpenMaxCalls probes at once; the others fail fast (no queueing)', async () => {
    const { clock, breaker } = make({ halfOpenMaxCalls: 2, halfOpenSuccessThreshold: 2 });
    await failTimes(breaker, 2);
    await clock.advance(1000);
    const a = deferred();
    const b = deferred();
    const p1 = breaker.execute(() => a.promise);
    const p2 = breaker.execute(() => b.promise);
    let third = 0;
    const e3 = await breaker.execute(() => ++third).catch((e) => e);
    expect(e3).toBeInstanceOf(BrokenCircuitError);
    expect(e3.message).toMatch(/half-open/);
    expect(third).toBe(0);
    a.resolve('a');
    await p1;
    expect(breaker.state).toBe('half-open'); // 1 of 2 successes
    b.resolve('b');
    await p2;
    expect(breaker.state).toBe('closed');
  });

  it('a failed probe reopens at once, even with other probes in flight whose later results are disregarded', async () => {
    const { clock, breaker } = make({ halfOpenMaxCalls: 2 });
    const { list } = recordTransitions(breaker);
    await failTimes(breaker, 2);
    await clock.advance(1000);
    const slowProbe = deferred();
    const pSlow = breaker.execute(() => slowProbe.promise);
    await breaker.execute(fail()).catch(() => {});
    expect(breaker.state).toBe('open');
    await clock.advance(1000);
    expect(breaker.state).toBe('half-open');
    slowProbe.resolve('stale'); // admitted in the previous half-open period
    await pSlow;
    expect(breaker.state).toBe('half-open');
    expect(list).toEqual(['closed>open', 'open>half-open', 'half-open>open', 'open>half-open']);
  });

  it('a slow probe counts as failed when the strategy tracks slow calls', async () => {
    const { clock, breaker } = make({ strategy: new CountWindowBreaker({ windowSize: 2, minimumCalls: 2, slowCallDurationMs: 100 }) });
    await failTimes(breaker, 2);
    await clock.advance(1000);
    const p = breaker.execute(() => sleep(clock, 150));
    await clock.advance(150);
    await p;
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().reason).toBe('slow probe (150 ms)');
  });
});

describe('CircuitBreaker: open period backoff and jitter', () => {
  it('grows exponentially on repeated trips up to maxOpenMs, and resets after a close', async () => {
    const { clock, breaker } = make({ openBackoffMultiplier: 2, maxOpenMs: 3000 });
    const periods: number[] = [];
    breaker.onStateChange((e) => { if (e.to === 'open') periods.push(e.openUntil! - e.at); });
    await failTimes(breaker, 2);
    for (let i = 0; i < 3; i++) {
      await clock.advance(breaker.retryAfterMs);
      await failTimes(breaker, 1); // probe fails
    }
    expect(periods).toEqual([1000, 2000, 3000, 3000]);
    expect(breaker.toJSON().consecutiveTrips).toBe(4);
    await clock.advance(3000);
    await breaker.execute(succeed);
    await failTimes(breaker, 2);
    expect(periods.at(-1)).toBe(1000);
  });

  it('is jittered by the injected random source within ±ratio', async () => {
    const values = [0, 0.999999, 0.5];
    const { clock, breaker } = make({ openJitterRatio: 0.2, random: () => values.shift()! });
    const periods: number[] = [];
    breaker.onStateChange((e) => { if (e.to === 'open') periods.push(e.openUntil! - e.at); });
    await failTimes(breaker, 2);
    for (let i = 0; i < 2; i++) {
      await clock.advance(breaker.retryAfterMs);
      await failTimes(breaker, 1);
    }
    expect(periods).toEqual([800, 1200, 1000]);
  });

  it('seeded jitter is reproducible', async () => {
    const run = async () => {
      const { breaker } = make({ openJitterRatio: 0.5, random: seededRandom(7) });
      await failTimes(breaker, 2);
      return breaker.retryAfterMs;
    };
    expect(await run()).toBe(await run());
  });
});

describe('CircuitBreaker: which errors count', () => {
  class Transient extends Error {}
  class BadRequest extends Error {}

  it('failOn(...) counts listed classes and ignores the rest (state untouched, error passed through)', async () => {
    const { breaker } = make({ classifyError: failOn(Transient) });
    const ignoredEvents: unknown[] = [];
    breaker.onIgnored((e) => ignoredEvents.push(e.error));
    const bad = new BadRequest('400');
    for (let i = 0; i < 5; i++) await expect(breaker.execute(() => Promise.reject(bad))).rejects.toBe(bad);
    expect(breaker.state).toBe('closed');
    expect(ignoredEvents).toHaveLength(5);
    await breaker.execute(() => Promise.reject(new Transient())).catch(() => {});
    await breaker.execute(() => Promise.reject(new Transient())).catch(() => {});
    expect(breaker.state).toBe('open');
  });

  it('ignored errors do not break a consecutive run; success-classified errors do', async () => {
    const classify = (e: unknown): ErrorClassification => (e instanceof BadRequest ? 'success' : e instanceof Transient ? 'failure' : 'ignore');
    const { breaker } = make({ classifyError: classify });
    await breaker.execute(() => Promise.reject(new Transient())).catch(() => {});
    await breaker.execute(() => Promise.reject(new Error('ignored'))).catch(() => {});
    await breaker.execute(() => Promise.reject(new Transient())).catch(() => {});
    expect(breaker.state).toBe('open'); // the ignored error sat between two failures
    const other = make({ classifyError: classify }).breaker;
    const successes: number[] = [];
    other.onSuccess((e) => successes.push(e.durationMs));
    await other.execute(() => Promise.reject(new Transient())).catch(() => {});
    await expect(other.execute(() => Promise.reject(new BadRequest()))).rejects.toBeInstanceOf(BadRequest);
    await other.execute(() => Promise.reject(new Transient())).catch(() => {});
    expect(other.state).toBe('closed'); // the 400 reset the run
    expect(successes).toEqual([0]);
  });

  it('an ignored error during half-open releases the probe permit without a transition', async () => {
    const { clock, breaker } = make({ classifyError: failOn(Transient) });
    await failTimes(breaker, 2); // plain Errors are ignored by failOn(Transient)…
    expect(breaker.state).toBe('closed');
    await breaker.execute(() => Promise.reject(new Transient())).catch(() => {});
    await breaker.execute(() => Promise.reject(new Transient())).catch(() => {});
    await clock.advance(1000);
    await breaker.execute(fail()).catch(() => {});
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(succeed)).resolves.toBe('ok'); // the permit was given back
    expect(breaker.state).toBe('closed');
  });

  it('a classifier that throws counts the error as a failure', async () => {
    const { breaker } = make({ classifyError: () => { throw new Error('bad classifier'); } });
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('open');
  });
});

describe('CircuitBreaker: cancellation', () => {
  it('rejects at once with CancelledError when the signal is already aborted', async () => {
    const { breaker } = make();
    const controller = new AbortController();
    controller.abort(new Error('user left'));
    let called = false;
    const error = await breaker.execute(() => { called = true; }, controller.signal).catch((e) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.cause).toEqual(new Error('user left'));
    expect(called).toBe(false);
  });

  it('hands the signal to the operation and does not count a call its caller cancelled', async () => {
    const { clock, breaker } = make();
    const ignored: unknown[] = [];
    breaker.onIgnored((e) => ignored.push(e.error));
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const p = breaker.execute(({ signal }) => sleep(clock, 5000, signal), controller.signal);
      controller.abort(new Error('cancel'));
      await expect(p).rejects.toThrow('cancel');
    }
    expect(breaker.state).toBe('closed');
    expect(ignored).toHaveLength(3);
  });

  it('a cancelled probe gives its permit back', async () => {
    const { clock, breaker } = make();
    await failTimes(breaker, 2);
    await clock.advance(1000);
    const controller = new AbortController();
    const p = breaker.execute(({ signal }) => sleep(clock, 5000, signal), controller.signal);
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(BrokenCircuitError);
    controller.abort(new Error('cancel'));
    await p.catch(() => {});
    expect(breaker.state).toBe('half-open');
    await breaker.execute(succeed);
    expect(breaker.state).toBe('closed');
  });

  it('run(operation, context) passes the context on and reads `aborted` when the context has it', async () => {
    const { breaker } = make();
    const context = { signal: new AbortController().signal, attempt: 3, aborted: false };
    let seen: unknown;
    await breaker.run((c) => { seen = c; context.aborted = true; throw new Error('x'); }, context).catch(() => {});
    await breaker.run(() => { throw new Error('x'); }, context).catch((e) => expect(e).toBeInstanceOf(CancelledError));
    expect(seen).toBe(context);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('closed'); // the aborted call did not count
  });
});

describe('CircuitBreaker: events', () => {
  it('emits success, failure and rejected with durations and state', async () => {
    const { clock, breaker } = make();
    const log: string[] = [];
    breaker.onSuccess((e) => log.push(`success ${e.durationMs} ${e.state}`));
    breaker.onFailure((e) => log.push(`failure ${e.durationMs} ${e.state} ${(e.error as Error).message}`));
    breaker.onRejected((e) => log.push(`rejected ${e.state} ${e.retryAfterMs} ${e.enforced}`));
    const p = breaker.execute(() => sleep(clock, 30).then(() => 'ok'));
    await clock.advance(30);
    await p;
    await failTimes(breaker, 2);
    await clock.advance(400);
    await breaker.execute(succeed).catch(() => {});
    expect(log).toEqual(['success 30 closed', 'failure 0 closed boom', 'failure 0 open boom', 'rejected open 600 true']);
  });

  it('state changes report the time spent in the previous state', async () => {
    const { clock, breaker } = make();
    const { events } = recordTransitions(breaker);
    await clock.advance(5000);
    await failTimes(breaker, 2);
    await clock.advance(1500);
    await breaker.execute(succeed);
    expect(events.map((e) => [e.from, e.to, e.durationMs])).toEqual([['closed', 'open', 5000], ['open', 'half-open', 1500], ['half-open', 'closed', 0]]);
  });

  it('a throwing listener never breaks the call', async () => {
    const { breaker } = make();
    breaker.onSuccess(() => { throw new Error('listener'); });
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
  });
});

describe('CircuitBreaker: options are validated once', () => {
  it.each([
    [{ openMs: -1 }, /CircuitBreaker\.openMs.*got -1/],
    [{ openMs: Number.NaN }, /CircuitBreaker\.openMs.*got NaN/],
    [{ maxOpenMs: 10, openMs: 100 }, /CircuitBreaker\.maxOpenMs.*got 10/],
    [{ openBackoffMultiplier: 0.5 }, /openBackoffMultiplier.*got 0\.5/],
    [{ openJitterRatio: 1 }, /openJitterRatio.*got 1/],
    [{ halfOpenMaxCalls: 0 }, /CircuitBreaker\.halfOpenMaxCalls.*got 0/],
    [{ halfOpenSuccessThreshold: 1.5 }, /halfOpenSuccessThreshold.*got 1\.5/],
    [{ name: '' }, /CircuitBreaker\.name.*got ""/],
    [{ metricsOnly: 'yes' }, /CircuitBreaker\.metricsOnly.*got "yes"/],
    [{ classifyError: 42 }, /CircuitBreaker\.classifyError must be a function, got 42/],
    [{ strategy: {} }, /CircuitBreaker\.strategy must be a TripStrategy/],
    [{ store: {} }, /CircuitBreaker\.store must be a BreakerStateStore/],
    [{ snapshot: { version: 2 } }, /CircuitBreaker\.snapshot\.version must be 1, got 2/],
  ])('rejects %o', (options, message) => {
    expect(() => new CircuitBreaker(options as never)).toThrow(InvalidOptionsError);
    expect(() => new CircuitBreaker(options as never)).toThrow(message);
  });

  it('a long openMs raises the default cap instead of failing', () => {
    expect(circuitBreaker({ openMs: 900_000 }).options.maxOpenMs).toBe(900_000);
  });
});
