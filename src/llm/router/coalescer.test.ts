import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Coalescer', () => {
  it('runs one call per key while it is in flight, then starts afresh', async () => {
    const coalescer = new Coalescer<number>();
    const gate = deferred<number>();
    let starts = 0;
    const start = () => {
      starts++;
      return gate.promise;
    };
    const a = coalescer.join('k', undefined, start);
    const b = coalescer.join('k', undefined, start);
    const other = coalescer.join('other', undefined, () => Promise.resolve(7));
    expect([a.leader, b.leader, other.leader]).toEqual([true, false, true]);
    gate.resolve(42);
    expect(await Promise.all([a.promise, b.promise, other.promise])).toEqual([42, 42, 7]);
    expect(starts).toBe(1);
    expect(coalescer.inFlight).toBe(0);
    await coalescer.join('k', undefined, () => Promise.resolve(1)).promise;
    expect(starts).toBe(1); // the new call used its own start function
  });

  it('aborts the shared call only when every caller has left', async () => {
    const coalescer = new Coalescer<string>();
    let shared: AbortSignal | undefined;
    const start = (signal: AbortSignal) => {
      shared = signal;
      return new Promise<string>((resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    const first = new AbortController();
    const second = new AbortController();
    const a = coalescer.join('k', first.signal, start).promise;
    const b = coalescer.join('k', second.signal, start).promise;
    first.abort();
    await expect(a).rejects.toMatchObject({ kind: 'cancelled' });
    expect(shared!.aborted).toBe(false);
    second.abort();
    await expect(b).rejects.toMatchObject({ kind: 'cancelled' });
    expect(shared!.aborted).toBe(true);
  });
});
