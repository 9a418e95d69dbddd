import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BULKHEAD_DEFAULT_MAX_CONCURRENT, BULKHEAD_DEFAULT_MAX_QUEUED, BULKHEAD_DEFAULT_QUEUE_TIMEOUT_MS, bulkhead } from './bulkhead.js';
import { BulkheadRejectedError, InvalidOptionsError } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { pipeline } from './pipeline.js';
import { timeout } from './timeout.js';

function gate() {
  let open!: (v: string) => void;
  const promise = new Promise<string>((r) => (open = r));
  return { promise, open };
}

describe('bulkhead', () => {
  it('pins its defaults', () => {
    expect([BULKHEAD_DEFAULT_MAX_CONCURRENT, BULKHEAD_DEFAULT_MAX_QUEUED, BULKHEAD_DEFAULT_QUEUE_TIMEOUT_MS]).toEqual([10, 0, Infinity]);
    const b = bulkhead();
    expect([b.maxConcurrent, b.maxQueued, b.queueTimeoutMs]).toEqual([10, 0, Infinity]);
  });

  it('validates options, naming field and value', () => {
    expect(() => bulkhead({ maxConcurrent: 0 })).toThrow(InvalidOptionsError);
    expect(() => bulkhead({ maxConcurrent: 0 })).toThrow(/maxConcurrent.*0/);
    expect(() => bulkhead({ maxQueued: -1 })).toThrow(/maxQueued.*-1/);
    expect(() => bulkhead({ queueTimeoutMs: -1 })).toThrow(/queueTimeoutMs.*-1/);
  });

  it('runs up to maxConcurrent, queues up to maxQueued, rejects the rest at once', async () => {
    const b = bulkhead({ maxConcurrent: 2, maxQueued: 1, clock: new FakeClock() });
    const gates = [gate(), gate(), gate()];
    const rejects: string[] = [];
    b.onReject((e) => rejects.push(e.reason));
    const p1 = b.execute(() => gates[0].promise);
    const p2 = b.execute(() => gates[1].promise);
    const p3 = b.execute(() => gates[2].promise);
    await Promise.resolve();
    expect([b.executing, b.queued]).toEqual([2, 1]);
    const rejected = await b.execute(() => 'never').catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(BulkheadRejectedError);
    expect(rejects).toEqual(['full']);
    gates[0].open('a');
    await expect(p1).resolves.toBe('a');
    await Promise.resolve();
    expect([b.executing, b.queued]).toEqual([2, 0]);
    gates[1].open('b');
    gates[2].open('c');
    await expect(Promise.all([p2, p3])).resolves.toEqual(['b', 'c']);
    expect([b.executing, b.queued]).toEqual([0, 0]);
  });

  it('a failing call frees its slot', async () => {
    const b = bulkhead({ maxConcurrent: 1 });
    await expect(b.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(b.execute(() => 'ok')).resolves.toBe('ok');
  });

  it('an aborted queued call leaves the queue at once, and the next one gets the slot', async () => {
    const b = bulkhead({ maxConcurrent: 1, maxQueued: 2 });
    const running = gate();
    const p1 = b.execute(() => running.promise);
    const caller = new AbortController();
    const p2 = b.execute(() => 'should not run', caller.signal);
    const p3 = b.execute(() => 'third');
    await Promise.resolve();
    expect(b.queued).toBe(2);
    caller.abort(new Error('gave up'));
    await expect(p2).rejects.toThrow('gave up');
    expect(b.queued).toBe(1);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    running.open('first');
    await expect(p1).resolves.toBe('first');
    await expect(p3).resolves.toBe('third');
  });

  it('rejects a queued call after queueTimeoutMs', async () => {
    const clock = new FakeClock();
    const b = bulkhead({ maxConcurrent: 1, maxQueued: 1, queueTimeoutMs: 50, clock });
    const running = gate();
    void b.execute(() => running.promise);
    const queued = b.execute(() => 'late').catch((e: unknown) => e);
    await clock.advance(49);
    expect(b.queued).toBe(1);
    await clock.advance(1);
    const error = await queued;
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect((error as Error).message).toMatch(/50 ms/);
    expect(b.queued).toBe(0);
    running.open('x');
  });

  it('a queued call leaves the queue when an outer timeout aborts it (no caller signal)', async () => {
    const clock = new FakeClock();
    const b = bulkhead({ maxConcurrent: 1, maxQueued: 1, clock });
    const p = pipeline(timeout({ timeoutMs: 50, clock }), b);
    const running = gate();
    void b.execute(() => running.promise);
    const queued = p.execute(() => 'late').catch((e: unknown) => (e as Error).name);
    await Promise.resolve();
    expect(b.queued).toBe(1);
    await clock.advance(50);
    expect(await queued).toBe('TimeoutError');
    expect(b.queued).toBe(0);
    running.open('x');
  });
});
