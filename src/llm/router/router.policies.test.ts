import { afterEach, describe, expect, it } from 'vitest';
import { AllFallbacksFailedError, LlmError } from '../errors.js';
import type { EjectionEvent, RequestEvent } from '../router-events.js';
import { ask, startFixture, until, type Fixture } from './router.fixture.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('router policies', () => {
  it("the route's total timeout stops the walk (virtual time) and the default answers", async () => {
    fx = await startFixture({ route: { totalTimeoutMs: 8_000, defaultResponse: 'late' } });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { hang: 1 } } });
    const answer = f.router.chat(ask('hello'));
    await until(() => f.mock.stats().inFlight === 1);
    await f.clock.advance(8_000);
    const { served } = await answer;
    expect(served).toEqual({ servedBy: 'default', attempts: 1, fallbackDepth: 3, degraded: true });
    expect(f.calls('secondary')).toBe(0);
  });

  it('a full bulkhead sends the call to the next deployment without an upstream attempt', async () => {
    fx = await startFixture({ policies: { bulkhead: { maxConcurrent: 1, maxQueued: 0 } } });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { latency: { kind: 'fixed', ms: 100 } } } });
    const [first, second] = await Promise.all([f.router.chat(ask('one')), f.router.chat(ask('two'))]);
    expect(first.served.servedBy).toBe('primary');
    expect(second.served).toEqual({ servedBy: 'secondary', attempts: 1, fallbackDepth: 1, degraded: false });
    expect(f.calls('primary')).toBe(1);
  });

  it('a stream holds its bulkhead slot until it ends, not just until its first token', async () => {
    fx = await startFixture({ policies: { bulkhead: { maxConcurrent: 1, maxQueued: 0 } } });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { tokenDelayMs: 20 } } });
    const stream = await f.router.stream(ask('echo: one two three four five six'));
    expect(stream.served.servedBy).toBe('primary');
    // The stream is open (first token received): the primary's only slot is taken.
    expect((await f.router.chat(ask('meanwhile'))).served.servedBy).toBe('secondary');
    for await (const _event of stream) void _event;
    expect((await f.router.chat(ask('afterwards'))).served.servedBy).toBe('primary');
  });

  it('an opened stream nobody reads is ended by the total timeout, freeing its slot', async () => {
    fx = await startFixture({ route: { totalTimeoutMs: 10_000 }, policies: { bulkhead: { maxConcurrent: 1, maxQueued: 0 } } });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { tokenDelayMs: 5 } } });
    const stream = await f.router.stream(ask('echo: a b c d e f g h i j k l m n o p q r s t u v w x y z'));
    expect(stream.served.servedBy).toBe('primary');
    expect((await f.router.chat(ask('meanwhile'))).served.servedBy).toBe('secondary');
    await f.clock.advance(10_000);
    await until(() => f.mock.stats().inFlight === 0);
    expect((await f.router.chat(ask('afterwards'))).served.servedBy).toBe('primary');
  });

  it('fails over inside a group before moving to the next group', async () => {
    fx = await startFixture({
      edit: (config) => {
        config.providers.twin = { ...config.providers.secondary, baseUrl: config.providers.primary.baseUrl.replace('/primary/', '/twin/') };
        // Tier 1: used only when the primary (tier 0) is unusable for this request.
        config.modelGroups.gpt4.deployments.push({ id: 'twin', provider: 'twin', model: 'gpt-4o', priority: 1 });
      },
    });
    fx.mock.patchProfile({ deployments: { primary: { errors: { '500': 1 } } } });
    const { served, response } = await fx.router.chat(ask('hello'));
    expect(served).toEqual({ servedBy: 'twin', attempts: 3, fallbackDepth: 0, degraded: false });
    expect(fx.calls('primary')).toBe(2);
    expect(response.content).toContain('via twin');
    expect(fx.calls('secondary')).toBe(0);
  });

  it('when every breaker is open the error says so (503) and when a probe will be allowed, at no upstream cost', async () => {
    fx = await startFixture({ route: { staleIfError: false }, policies: { breaker: { failureThreshold: 1 }, retry: { maxAttempts: 1 } } });
    fx.mock.patchProfile({ deployments: { primary: { errors: { '500': 1 } }, secondary: { errors: { '500': 1 } } } });
    await expect(fx.router.chat(ask('opens both breakers'))).rejects.toBeInstanceOf(AllFallbacksFailedError);
    await fx.clock.advance(15_000);
    const calls = fx.calls('primary') + fx.calls('secondary');
    const error = (await fx.router.chat(ask('again')).catch((e: unknown) => e)) as AllFallbacksFailedError;
    expect(error).toBeInstanceOf(AllFallbacksFailedError);
    expect(error.attempts).toBe(0);
    expect(fx.calls('primary') + fx.calls('secondary')).toBe(calls);
    expect(error.status).toBe(503);
    expect(error.lastError).toBeInstanceOf(LlmError);
    expect((error.lastError as LlmError).message).toMatch(/no deployment of model group gpt4 is available/i);
    expect((error.lastError as LlmError).retryAfterMs).toBe(45_000);
  });

  it('request events carry the attempts of failed requests too', async () => {
    fx = await startFixture();
    const events: RequestEvent[] = [];
    fx.router.onRequest((e) => events.push(e));
    await fx.router.chat(ask('x', { messages: [] })).catch(() => undefined);
    expect(events).toEqual([expect.objectContaining({ ok: false, errorKind: 'bad_request', attempts: 1, servedBy: 'none' })]);
  });

  it('forwards the balancer\'s ejections and shows them in inspect()', async () => {
    fx = await startFixture({
      edit: (config) => {
        config.providers.twin = { ...config.providers.secondary, baseUrl: config.providers.primary.baseUrl.replace('/primary/', '/twin/') };
        config.modelGroups.gpt4.deployments.push({ id: 'twin', provider: 'twin', model: 'gpt-4o', priority: 1 });
        config.modelGroups.gpt4.ejection = { consecutiveFailures: 3 };
      },
    });
    const ejections: EjectionEvent[] = [];
    fx.router.onEjection((e) => ejections.push(e));
    fx.mock.patchProfile({ deployments: { primary: { errors: { '500': 1 } } } });
    await fx.router.chat(ask('one')); // 2 failed attempts on the primary
    expect(ejections).toEqual([]);
    await fx.router.chat(ask('two')); // the 3rd consecutive failure ejects it
    expect(ejections).toEqual([expect.objectContaining({ group: 'gpt4', deployment: 'primary', ejected: true })]);
    const view = fx.router.inspect().routes[0].chain[0].deployments.find((d) => d.id === 'primary')!;
    expect(view).toMatchObject({ ejected: true, available: false, lastErrorKind: 'server_error' });
    const before = fx.calls('primary');
    expect((await fx.router.chat(ask('three'))).served.servedBy).toBe('twin');
    expect(fx.calls('primary')).toBe(before);
  });
});
