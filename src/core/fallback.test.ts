import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, TimeoutError } from './errors.js';
import { fallback } from './fallback.js';

describe('fallback', () => {
  it('validates: exactly one of value / fallback', () => {
    expect(() => fallback({})).toThrow(InvalidOptionsError);
    expect(() => fallback({})).toThrow(/value\/fallback.*neither/);
    expect(() => fallback({ value: 1, fallback: () => 2 })).toThrow(/both/);
    expect(() => fallback({ value: 1, handles: 3 as never })).toThrow(/handles/);
  });

  it('passes success through untouched', async () => {
    await expect(fallback({ value: 'spare' }).execute(() => 'real')).resolves.toBe('real');
  });

  it('replaces a failure with a value, or a function of the error, and emits', async () => {
    const f = fallback({ value: 'spare' });
    const seen: unknown[] = [];
    f.onFallback((e) => seen.push((e.error as Error).message));
    await expect(f.execute(() => Promise.reject(new Error('down')))).resolves.toBe('spare');
    expect(seen).toEqual(['down']);
    const g = fallback({ fallback: async (error) => `sorry: ${(error as Error).message}` });
    await expect(g.execute(() => { throw new Error('sync'); })).resolves.toBe('sorry: sync');
  });

  it('only handles what the predicate accepts', async () => {
    const f = fallback({ value: 'spare', handles: (e) => e instanceof TimeoutError });
    await expect(f.execute(() => Promise.reject(new TimeoutError(5)))).resolves.toBe('spare');
    await expect(f.execute(() => Promise.reject(new Error('other')))).rejects.toThrow('other');
  });

  it('never answers for a caller that aborted', async () => {
    const caller = new AbortController();
    caller.abort(new Error('left'));
    await expect(fallback({ value: 'spare' }).execute(() => Promise.reject(new Error('x')), caller.signal)).rejects.toThrow('x');
  });
});
