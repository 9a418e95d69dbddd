import { describe, expect, it } from 'vitest';
import { requestEvent } from '../test-events.js';
import { DEFAULT_MIX_MAX_ROUTES, DEFAULT_MIX_SECONDS, HISTORY_BUCKET_MS, HISTORY_BUCKETS, SERVED_KINDS, ServedMix, servedKindOf, tenantOf } from './served-mix.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('ServedMix', () => {
  it('pins its defaults', () => {
    expect(DEFAULT_MIX_SECONDS).toBe(60);
    expect(DEFAULT_MIX_MAX_ROUTES).toBe(100);
    expect(SERVED_KINDS).toEqual(['primary', 'secondary', 'cache', 'default', 'failed']);
    expect([HISTORY_BUCKET_MS, HISTORY_BUCKETS]).toEqual([60_000, 60]);
  });

  it('keys its rings by tenant for the per-tenant view', () => {
    const tenants = new ServedMix(DEFAULT_MIX_SECONDS, DEFAULT_MIX_MAX_ROUTES, 1000, tenantOf);
    tenants.record(requestEvent(T0, { tenant: 'acme' }));
    tenants.record(requestEvent(T0, { tenant: 'acme', route: 'claude', ok: false, servedBy: 'none' }));
    tenants.record(requestEvent(T0, { tenant: 'globex' }));
    expect([...tenants.routes()].sort()).toEqual(['acme', 'globex']);
    expect(tenants.totals('acme', T0)).toMatchObject({ primary: 1, failed: 1 });
  });

  it('keeps an hour of history at one-minute buckets, with tokens per bucket', () => {
    const history = new ServedMix(HISTORY_BUCKETS, DEFAULT_MIX_MAX_ROUTES, HISTORY_BUCKET_MS);
    history.record(requestEvent(T0 + 1_000, { inputTokens: 10, outputTokens: 5 }));
    history.record(requestEvent(T0 + 59_000, { inputTokens: 1, outputTokens: 1 }));
    history.record(requestEvent(T0 + 45 * 60_000, { ok: false, servedBy: 'none', inputTokens: 0, outputTokens: 0 }));
    const series = history.series('gpt-4', T0 + 59 * 60_000 + 30_000);
    expect(series.t).toHaveLength(60);
    expect(series.t[1] - series.t[0]).toBe(60);
    const first = series.t.indexOf(T0 / 1000);
    expect(series.primary[first]).toBe(2);
    expect(series.tokens[first]).toBe(17);
    expect(series.failed[series.t.indexOf(T0 / 1000 + 45 * 60)]).toBe(1);
    // An hour later the first minute has left the window.
    expect(history.series('gpt-4', T0 + 61 * 60_000).t).not.toContain(T0 / 1000);
  });

  it.each([
    [{ servedBy: 'a', fallbackDepth: 0, ok: true }, 'primary'],
    [{ servedBy: 'b', fallbackDepth: 1, ok: true }, 'secondary'],
    [{ servedBy: 'b', fallbackDepth: 2, ok: true }, 'secondary'],
    [{ servedBy: 'cache', fallbackDepth: 2, ok: true }, 'cache'],
    [{ servedBy: 'default', fallbackDepth: 3, ok: true }, 'default'],
    [{ servedBy: 'none', fallbackDepth: 0, ok: false }, 'failed'],
  ] as const)('classifies %o as %s', (e, kind) => {
    expect(servedKindOf(e)).toBe(kind);
  });

  it('counts per second per route; the series leaves out the unfinished second, totals include it', () => {
    const mix = new ServedMix();
    mix.record(requestEvent(T0 + 100, { durationMs: 100 }));
    mix.record(requestEvent(T0 + 900, { durationMs: 300 }));
    mix.record(requestEvent(T0 + 1500, { servedBy: 'b', fallbackDepth: 1 }));
    mix.record(requestEvent(T0 + 2100, { servedBy: 'cache' }));
    mix.record(requestEvent(T0 + 2200, { route: 'claude', servedBy: 'default' }));

    const series = mix.series('gpt-4', T0 + 2500);
    expect(series.t).toHaveLength(60);
    expect(series.t.at(-1)).toBe((T0 + 1000) / 1000);
    expect(series.primary.slice(-2)).toEqual([2, 0]);
    expect(series.secondary.slice(-2)).toEqual([0, 1]);
    expect(series.cache.slice(-2)).toEqual([0, 0]);
    expect(series.avgMs.slice(-3)).toEqual([null, 200, 200]);
    expect(mix.totals('gpt-4', T0 + 2500)).toEqual({ primary: 2, secondary: 1, cache: 1, default: 0, failed: 0 });
    expect(mix.totals('claude', T0 + 2500)).toEqual({ primary: 0, secondary: 0, cache: 0, default: 1, failed: 0 });
  });

  it('forgets seconds older than the window, also when a slot is reused', () => {
    const mix = new ServedMix(10);
    mix.record(requestEvent(T0));
    expect(mix.totals('gpt-4', T0 + 9_500).primary).toBe(1);
    expect(mix.totals('gpt-4', T0 + 10_000).primary).toBe(0);
    mix.record(requestEvent(T0 + 10_000, { ok: false, servedBy: 'none' })); // same slot, ten seconds later
    expect(mix.totals('gpt-4', T0 + 10_000)).toMatchObject({ primary: 0, failed: 1 });
    expect(mix.series('gpt-4', T0 + 11_000).failed.at(-1)).toBe(1);
    expect(mix.series('gpt-4', T0 + 11_000).primary.every((n) => n === 0)).toBe(true);
  });

  it('tracks a bounded number of routes and resets', () => {
    const mix = new ServedMix(60, 2);
    for (const route of ['a', 'b', 'c']) mix.record(requestEvent(T0, { route }));
    expect([...mix.routes()]).toEqual(['a', 'b']);
    mix.reset();
    expect([...mix.routes()]).toEqual([]);
    expect(mix.totals('a', T0).primary).toBe(0);
  });
});
