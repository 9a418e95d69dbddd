import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../core/errors.js';
import { AllFallbacksFailedError, LlmError } from '../errors.js';
import type { AttemptEvent, BreakerEvent, RequestEvent } from '../router-events.js';
import { ask, startFixture, until, type Fixture } from './router.fixture.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('router.chat: the fallback chain over real HTTP', () => {
  it('serves the primary when it is healthy', async () => {
    fx = await startFixture();
    const { response, served } = await fx.router.chat(ask('hello'));
    expect(response.content).toContain('via primary');
    expect(served).toEqual({ servedBy: 'primary', attempts: 1, fallbackDepth: 0, degraded: false });
    expect(fx.calls('primary')).toBe(1);
    expect(fx.calls('secondary')).toBe(0);
  });

  it.each([['500'], ['503'], ['529']])('falls back to the secondary when the primary answers %s (after one retry)', async (status) => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: { errors: { [status]: 1 } } } });
    const { response, served } = await fx.router.chat(ask('hello'));
    expect(response.content).toContain('via secondary');
    expect(served).toEqual({ servedBy: 'secondary', attempts: 3, fallbackDepth: 1, degraded: false });
    expect(fx.mock.stats().byDeployment.primary.byStatus[status]).toBe(2);
  });

  it.each([['reset'], ['malformed']])('falls back to the secondary when the primary answers with a %s', async (fault) => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: { [fault]: 1 } } });
    const { response, served } = await fx.router.chat(ask('hello'));
    expect(response.content).toContain('via secondary');
    expect(served.servedBy).toBe('secondary');
    expect(fx.calls('primary')).toBe(2);
  });

  it('honours a 429 Retry-After on virtual time, then the primary answers', async () => {
    fx = await startFixture();
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { errors: { '429': 1 }, retryAfterMs: 2_000 } } });
    const answer = f.router.chat(ask('hello'));
    await until(() => f.calls('primary') === 1);
    f.mock.patchProfile({ deployments: { primary: null } });
    await f.clock.advance(1_999);
    expect(f.calls('primary')).toBe(1); // still waiting for the server's hint
    await f.clock.advance(1);
    const { served } = await answer;
    expect(served).toEqual({ servedBy: 'primary', attempts: 2, fallbackDepth: 0, degraded: false });
    expect(f.calls('secondary')).toBe(0);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs: falls back at once', async () => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: { errors: { '429': 1 }, retryAfterMs: 45_000 } } });
    const { served } = await fx.router.chat(ask('hello'));
    expect(served).toEqual({ servedBy: 'secondary', attempts: 2, fallbackDepth: 1, degraded: false });
    expect(fx.calls('primary')).toBe(1);
  });

  it('bounds a hanging primary by the attempt timeout (virtual time), retries once, then falls back', async () => {
    fx = await startFixture({ policies: { attemptTimeoutMs: 5_000 } });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { hang: 1 } } });
    const answer = f.router.chat(ask('hello'));
    await until(() => f.mock.stats().inFlight === 1);
    await f.clock.advance(4_999);
    expect(f.calls('primary')).toBe(1);
    await f.clock.advance(1);
    // The first attempt was abandoned; the retry is now hanging (the mock counts a hang when it starts).
    await until(() => f.calls('primary') === 2 && f.mock.stats().inFlight === 1);
    await f.clock.advance(5_000);
    const { served } = await answer;
    expect(served).toEqual({ servedBy: 'secondary', attempts: 3, fallbackDepth: 1, degraded: false });
  });

  it('serves the last good answer (stale-if-error) when every model fails, then the default answer', async () => {
    fx = await startFixture({ route: { defaultResponse: 'Busy: {{model}} ({{request_id}})' } });
    const first = await fx.router.chat(ask('hello'));
    fx.mock.patchProfile({ default: { errors: { '500': 1 } } });
    await fx.clock.advance(10 * 60_000); // well past the 5 min TTL: stale, still served on error
    const stale = await fx.router.chat(ask('hello'));
    expect(stale.response.content).toBe(first.response.content);
    expect(stale.served).toEqual({ servedBy: 'cache', attempts: 4, fallbackDepth: 2, degraded: true });
    const fallback = await fx.router.chat(ask('never asked before'), { requestId: 'req-42' });
    expect(fallback.response.content).toBe('Busy: gpt-4 (req-42)');
    expect(fallback.served).toEqual({ servedBy: 'default', attempts: 4, fallbackDepth: 3, degraded: true });
  });

  it('throws AllFallbacksFailedError with the last error when nothing can answer', async () => {
    fx = await startFixture({ route: { staleIfError: false } });
    fx.mock.patchProfile({ default: { errors: { '503': 1 } } });
    const error = await fx.router.chat(ask('hello')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllFallbacksFailedError);
    expect((error as AllFallbacksFailedError).attempts).toBe(4);
    expect((error as AllFallbacksFailedError).cause).toBeInstanceOf(LlmError);
    expect(((error as AllFallbacksFailedError).cause as LlmError).kind).toBe('overloaded');
  });

  it('auth errors: one upstream call per deployment, never retried, then skipped at no cost', async () => {
    fx = await startFixture({ route: { defaultResponse: 'sorry' } });
    fx.mock.patchProfile({ default: { authFailure: true } });
    const first = await fx.router.chat(ask('hello'));
    expect(first.served).toEqual({ servedBy: 'default', attempts: 2, fallbackDepth: 3, degraded: true });
    expect(fx.calls('primary')).toBe(1);
    expect(fx.calls('secondary')).toBe(1);
    const second = await fx.router.chat(ask('hello again'));
    expect(second.served.servedBy).toBe('default');
    expect(second.served.attempts).toBe(0);
    expect(fx.calls('primary') + fx.calls('secondary')).toBe(2);
    const view = fx.router.inspect().routes.find((r) => r.name === 'gpt-4')!;
    expect(view.chain[0].deployments[0]).toMatchObject({ id: 'primary', breaker: 'open', lastErrorKind: 'auth', available: false });
  });

  it('bad requests are returned at once: not retried, no fallback, not counted against the breaker', async () => {
    fx = await startFixture({ route: { defaultResponse: 'sorry' } });
    for (let i = 0; i < 6; i++) {
      const error = await fx.router.chat(ask('x', { messages: [] })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LlmError);
      expect((error as LlmError).kind).toBe('bad_request');
    }
    expect(fx.calls('primary')).toBe(6);
    expect(fx.calls('secondary')).toBe(0);
    expect(fx.router.inspect().routes[0].chain[0].deployments[0].breaker).toBe('closed');
  });

  it('opens the breaker after 5 failed requests; then the primary is skipped at no cost', async () => {
    fx = await startFixture();
    const breaker: BreakerEvent[] = [];
    fx.router.onBreaker((e) => breaker.push(e));
    fx.mock.patchProfile({ deployments: { primary: { errors: { '500': 1 } } } });
    for (let i = 0; i < 5; i++) expect((await fx.router.chat(ask(`q${i}`))).served.servedBy).toBe('secondary');
    expect(fx.calls('primary')).toBe(10); // 5 requests × 2 attempts
    expect(breaker).toEqual([expect.objectContaining({ group: 'gpt4', deployment: 'primary', from: 'closed', to: 'open' })]);
    const skipped = await fx.router.chat(ask('after'));
    expect(skipped.served).toEqual({ servedBy: 'secondary', attempts: 1, fallbackDepth: 1, degraded: false });
    expect(fx.calls('primary')).toBe(10);
    // 60 s later one half-open probe goes through; the primary has recovered.
    fx.mock.patchProfile({ deployments: { primary: null } });
    await fx.clock.advance(60_000);
    const healed = await fx.router.chat(ask('later'));
    expect(healed.served.servedBy).toBe('primary');
    expect(breaker.map((e) => e.to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('context_length_exceeded goes to the contextWindowFallbacks chain', async () => {
    fx = await startFixture({ extraGroups: { big: [{ id: 'big' }] }, route: { contextWindowFallbacks: ['big'] } });
    fx.mock.patchProfile({ deployments: { primary: { contextWindow: { maxChars: 10 } } } });
    const { response, served } = await fx.router.chat(ask('a prompt that is far too long'));
    expect(response.content).toContain('via big');
    expect(served).toEqual({ servedBy: 'big', attempts: 2, fallbackDepth: 1, degraded: false });
    expect(fx.calls('primary')).toBe(1);
    expect(fx.calls('secondary')).toBe(0);
  });

  it('emits request and attempt events', async () => {
    fx = await startFixture();
    const requests: RequestEvent[] = [];
    const attempts: AttemptEvent[] = [];
    fx.router.onRequest((e) => requests.push(e));
    fx.router.onAttempt((e) => attempts.push(e));
    fx.mock.patchProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    await fx.router.chat(ask('hello'), { tenant: 'acme' });
    expect(attempts.map((a) => [a.deployment, a.ok, a.errorKind])).toEqual([
      ['primary', false, 'overloaded'],
      ['primary', false, 'overloaded'],
      ['secondary', true, undefined],
    ]);
    expect(requests).toEqual([
      expect.objectContaining({ route: 'gpt-4', tenant: 'acme', servedBy: 'secondary', group: 'gpt35', fallbackDepth: 1, attempts: 3, ok: true, stream: false, cacheHit: false }),
    ]);
    expect(requests[0].outputTokens).toBeGreaterThan(0);
  });
});

describe('router.chat: cache and coalescing', () => {
  it('serves fresh hits per tenant: one tenant never gets another tenant\'s answer', async () => {
    fx = await startFixture({ route: { cache: true } });
    const a1 = await fx.router.chat(ask('hello'), { tenant: 'acme' });
    const a2 = await fx.router.chat(ask('hello'), { tenant: 'acme' });
    expect(a1.served.servedBy).toBe('primary');
    expect(a2.served).toEqual({ servedBy: 'cache', attempts: 0, fallbackDepth: 0, degraded: false });
    expect(fx.calls('primary')).toBe(1);
    const b = await fx.router.chat(ask('hello'), { tenant: 'globex' });
    expect(b.served.servedBy).toBe('primary');
    expect(fx.calls('primary')).toBe(2);
    // Past the TTL the entry is no longer fresh: a new upstream call.
    await fx.clock.advance(5 * 60_000);
    expect((await fx.router.chat(ask('hello'), { tenant: 'acme' })).served.servedBy).toBe('primary');
  });

  it('stale-if-error is tenant-scoped too', async () => {
    fx = await startFixture({ route: { defaultResponse: 'default' } });
    await fx.router.chat(ask('hello'), { tenant: 'acme' });
    fx.mock.patchProfile({ default: { errors: { '500': 1 } } });
    expect((await fx.router.chat(ask('hello'), { tenant: 'acme' })).served.servedBy).toBe('cache');
    expect((await fx.router.chat(ask('hello'), { tenant: 'globex' })).served.servedBy).toBe('default');
  });

  it('coalesces identical concurrent requests into one upstream call', async () => {
    fx = await startFixture({ route: { coalesce: true } });
    fx.mock.patchProfile({ default: { latency: { kind: 'fixed', ms: 150 } } });
    const results = await Promise.all(Array.from({ length: 8 }, () => fx!.router.chat(ask('same question'))));
    expect(fx.calls('primary')).toBe(1);
    expect(new Set(results.map((r) => r.response.content)).size).toBe(1);
    expect(results.filter((r) => r.served.attempts === 1)).toHaveLength(1);
    // Different tenants are different keys.
    await Promise.all([fx.router.chat(ask('q'), { tenant: 'a' }), fx.router.chat(ask('q'), { tenant: 'b' })]);
    expect(fx.calls('primary')).toBe(3);
  });

  it('a coalesced caller that cancels does not cancel the others', async () => {
    fx = await startFixture({ route: { coalesce: true } });
    fx.mock.patchProfile({ default: { latency: { kind: 'fixed', ms: 150 } } });
    const controller = new AbortController();
    const leaving = fx.router.chat(ask('same'), { signal: controller.signal });
    const staying = fx.router.chat(ask('same'));
    controller.abort();
    await expect(leaving).rejects.toMatchObject({ kind: 'cancelled' });
    expect((await staying).served.servedBy).toBe('primary');
    expect(fx.calls('primary')).toBe(1);
  });
});

describe('router control', () => {
  it('drain / undrain, forceOpen / release move traffic', async () => {
    fx = await startFixture();
    fx.router.drain('primary');
    expect((await fx.router.chat(ask('1'))).served.servedBy).toBe('secondary');
    fx.router.undrain('primary');
    expect((await fx.router.chat(ask('2'))).served.servedBy).toBe('primary');
    fx.router.forceOpen('primary');
    expect(fx.router.inspect().routes[0].chain[0].deployments[0].breaker).toBe('isolated');
    expect((await fx.router.chat(ask('3'))).served.servedBy).toBe('secondary');
    fx.router.release('primary');
    expect((await fx.router.chat(ask('4'))).served.servedBy).toBe('primary');
    fx.router.forceClosed('primary');
    expect(fx.router.inspect().routes[0].chain[0].deployments[0].breaker).toBe('forced-closed');
    expect(() => fx!.router.drain('nope')).toThrow(/Unknown deployment id "nope"/);
  });

  it('probe makes one cheap upstream call and reports the outcome', async () => {
    fx = await startFixture();
    expect(await fx.router.probe('secondary')).toMatchObject({ deployment: 'secondary', ok: true });
    fx.mock.patchProfile({ deployments: { secondary: { errors: { '503': 1 } } } });
    expect(await fx.router.probe('secondary')).toMatchObject({ ok: false, errorKind: 'overloaded' });
    expect(fx.calls('secondary')).toBe(2);
    const view = fx.router.inspect().routes[0].chain[1].deployments[0];
    expect(view).toMatchObject({ id: 'secondary', lastErrorKind: 'overloaded', breaker: 'closed' });
  });

  it('inspect lists routes, implicit group routes, chain groups and deployments', async () => {
    fx = await startFixture();
    const snapshot = fx.router.inspect();
    expect(snapshot.routes.map((r) => [r.name, r.implicit, r.required])).toEqual([
      ['gpt-4', false, true],
      ['gpt4', true, true],
      ['gpt35', true, true],
    ]);
    expect(snapshot.routes[0].chain.map((g) => g.group)).toEqual(['gpt4', 'gpt35']);
    expect(fx.router.models()).toEqual(['gpt-4', 'gpt4', 'gpt35']);
    expect((await fx.router.chat({ model: 'gpt35', messages: [{ role: 'user', content: 'hi' }] })).served.servedBy).toBe('secondary');
    await expect(fx.router.chat({ model: 'nope', messages: [] })).rejects.toMatchObject({ code: 'BULWARK_ERR_UNKNOWN_MODEL' });
    const opening = fx.router.stream({ model: 'nope', messages: [] }); // a rejected promise, never a synchronous throw
    await expect(opening).rejects.toMatchObject({ code: 'BULWARK_ERR_UNKNOWN_MODEL', status: 404 });
  });

  it('rejects a config with unknown references, naming the path', async () => {
    fx = await startFixture();
    const { createRouter } = await import('./create-router.js');
    const bad = structuredClone(fx.config);
    bad.routes[0].chain = ['gpt4', 'gpt5'];
    expect(() => createRouter(bad)).toThrow(InvalidOptionsError);
    expect(() => createRouter(bad)).toThrow('RouterConfig.routes[0].chain[1] names an unknown model group "gpt5"');
    const badProvider = structuredClone(fx.config);
    badProvider.modelGroups.gpt35.deployments[0].provider = 'azure-east';
    expect(() => createRouter(badProvider)).toThrow('RouterConfig.modelGroups.gpt35.deployments[0].provider names an unknown provider "azure-east"');
    const badPolicy = structuredClone(fx.config);
    badPolicy.policies = { retry: { maxAttempts: 0 } };
    expect(() => createRouter(badPolicy)).toThrow('RouterConfig.policies.retry.maxAttempts must be an integer >= 1 (got 0)');
  });
});
