import { afterEach, describe, expect, it } from 'vitest';
import type { RouterConfig } from '../router-config.js';
import { ask, startFixture, until, type Fixture } from './router.fixture.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/** Group gpt4 = primary (tier 0, picked first) + twin (tier 1), hedged after 500 ms. */
function hedgedGroup(config: RouterConfig): void {
  config.providers.twin = { ...config.providers.secondary, baseUrl: config.providers.primary.baseUrl.replace('/primary/', '/twin/') };
  config.modelGroups.gpt4.deployments.push({ id: 'twin', provider: 'twin', model: 'gpt-4o', priority: 1 });
  config.modelGroups.gpt4.policies = { hedge: { delayMs: 500, maxHedges: 1 } };
}

describe('router hedging (policies.hedge on a model group)', () => {
  it('starts a second attempt on another deployment of the group after delayMs; the first answer wins, the loser is aborted', async () => {
    fx = await startFixture({ policies: { retry: { maxAttempts: 1 } }, edit: hedgedGroup });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { hang: 1 } } });
    const answer = f.router.chat(ask('hello'));
    await until(() => f.mock.stats().inFlight === 1);
    await f.clock.advance(499);
    expect(f.calls('twin')).toBe(0); // not yet: the primary still has time
    await f.clock.advance(1);
    const { served, response } = await answer;
    expect(served).toEqual({ servedBy: 'twin', attempts: 2, fallbackDepth: 0, degraded: false });
    expect(response.content).toContain('via twin');
    await until(() => f.mock.stats().inFlight === 0); // the hanging primary call was cancelled
    expect(f.calls('secondary')).toBe(0);
    // The loser had gone delayMs without an answer: a slow call, counted as a timeout (one, so the breaker stays closed).
    expect(f.router.inspect().routes[0].chain[0].deployments.find((d) => d.id === 'primary')).toMatchObject({ breaker: 'closed', lastErrorKind: 'timeout' });
  });

  it('a call that fails before delayMs is replaced at once, as without hedging', async () => {
    fx = await startFixture({ policies: { retry: { maxAttempts: 1 } }, edit: hedgedGroup });
    fx.mock.patchProfile({ deployments: { primary: { errors: { '500': 1 } } } });
    const { served } = await fx.router.chat(ask('hello'));
    expect(served).toEqual({ servedBy: 'twin', attempts: 2, fallbackDepth: 0, degraded: false });
    expect(fx.router.inspect().routes[0].chain[0].deployments.find((d) => d.id === 'primary')).toMatchObject({ lastErrorKind: 'server_error' });
  });

  it('does not hedge a call that answers before delayMs', async () => {
    fx = await startFixture({ edit: hedgedGroup });
    const { served } = await fx.router.chat(ask('hello'));
    expect(served).toEqual({ servedBy: 'primary', attempts: 1, fallbackDepth: 0, degraded: false });
    await fx.clock.advance(1_000);
    expect(fx.calls('twin')).toBe(0);
  });

  it('without a hedge policy a slow deployment is not hedged', async () => {
    fx = await startFixture({ policies: { retry: { maxAttempts: 1 } }, edit: (config) => { hedgedGroup(config); delete config.modelGroups.gpt4.policies; } });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { hang: 1 } } });
    const answer = f.router.chat(ask('hello'));
    await until(() => f.mock.stats().inFlight === 1);
    await f.clock.advance(5_000);
    expect(f.calls('twin')).toBe(0);
    await f.clock.advance(25_000); // the 30 s attempt timeout, then the twin
    expect((await answer).served.servedBy).toBe('twin');
  });

  it('hedges a stream that has no first token after delayMs; the first stream to produce one is relayed', async () => {
    fx = await startFixture({ policies: { retry: { maxAttempts: 1 } }, edit: hedgedGroup });
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { hang: 1 } } });
    const opening = f.router.stream(ask('echo: one two three'));
    await until(() => f.mock.stats().inFlight === 1);
    await f.clock.advance(500);
    const stream = await opening;
    expect(stream.served).toMatchObject({ servedBy: 'twin', fallbackDepth: 0, degraded: false });
    let text = '';
    for await (const event of stream) if (event.type === 'text') text += event.text;
    expect(text).toContain('one two three');
    await until(() => f.mock.stats().inFlight === 0);
    expect(f.calls('secondary')).toBe(0);
  });
});
