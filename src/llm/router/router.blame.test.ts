import { describe, expect, it } from 'vitest';
import { LlmError } from '../errors.js';
import type { Provider } from '../provider.js';
import type { AttemptEvent } from '../router-events.js';
import { createRouter } from './create-router.js';

// Issue 13 defect 1, at the router's boundary (any Provider): only what the upstream did counts
// against a deployment. A provider that throws something it did not classify (Bulwark's own
// code failing) or refuses a request it cannot send moves no breaker, no outlier detector and
// no health state, and is the request's answer at once (500 naming a bug, or 400).
const answer = Buffer.from(JSON.stringify({
  id: 'x', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 },
}));

function routerWith(failure: () => unknown) {
  let calls = 0;
  const provider: Provider = {
    dialect: 'anthropic',
    send: async () => {
      calls++;
      throw failure();
    },
    open: async () => {
      calls++;
      throw failure();
    },
    close: async () => undefined,
  };
  const router = createRouter(
    {
      providers: { p: { type: 'anthropic', baseUrl: 'http://127.0.0.1:9' } },
      modelGroups: {
        a: { deployments: [{ id: 'a1', provider: 'p', model: 'm' }], ejection: { consecutiveFailures: 1 } },
        b: { deployments: [{ id: 'b1', provider: 'p', model: 'm' }] },
      },
      routes: [{ name: 'r', chain: ['a', 'b'], staleIfError: false }],
      policies: { breaker: { failureThreshold: 1 }, retry: { maxAttempts: 3 } },
    },
    { providers: () => provider },
  );
  return { router, calls: () => calls };
}

describe('router: failures that are not the upstream\'s never count against a deployment', () => {
  it.each([
    ['a Bulwark bug (TypeError)', () => new TypeError('x is undefined'), 'internal', 500],
    ['a request that cannot be sent', () => new LlmError('invalid_request', 'cannot encode', { param: 'messages[0]' }), 'invalid_request', 400],
  ])('%s: answered at once, no failover, no retry, breaker and ejection untouched', async (_name, failure, kind, status) => {
    const { router, calls } = routerWith(failure);
    const attempts: AttemptEvent[] = [];
    router.onAttempt((e) => attempts.push(e));
    for (let i = 0; i < 5; i++) {
      const error = await router.chat({ model: 'r', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LlmError);
      expect((error as LlmError).kind).toBe(kind);
      expect((error as LlmError).status).toBe(status);
      const streamError = await router.stream({ model: 'r', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect((streamError as LlmError).kind).toBe(kind);
    }
    if (kind === 'internal') expect((await router.chat({ model: 'r', messages: [{ role: 'user', content: 'hi' }] }).catch((e: Error) => e.message))).toMatch(/bug/);
    expect(calls()).toBe(kind === 'internal' ? 11 : 10); // one call per request: not retried, not failed over to b1
    const deployments = router.inspect().routes[0].chain.flatMap((step) => step.deployments);
    for (const d of deployments) {
      expect(d.breaker).toBe('closed');
      expect(d.ejected).toBe(false);
      expect(d.lastErrorKind).toBeUndefined();
    }
    expect(attempts).toEqual([]); // health and SLA see no attempt of the deployment
    await router.close();
  });

  it('an upstream failure still counts (the same router opens its breaker)', async () => {
    const { router } = routerWith(() => new LlmError('server_error', 'upstream 500', { upstreamStatus: 500 }));
    await router.chat({ model: 'r', messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
    const a1 = router.inspect().routes[0].chain[0].deployments[0];
    expect(a1.breaker).toBe('open');
    await router.close();
  });

  it('keeps serving after such failures', async () => {
    let broken = true;
    const provider: Provider = {
      dialect: 'openai', send: async () => {
        if (broken) throw new RangeError('Maximum call stack size exceeded');
        return { status: 200, headers: {}, body: answer };
      }, open: async () => { throw new LlmError('server_error', 'no streams here'); }, close: async () => undefined,
    };
    const router = createRouter({
      providers: { p: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } },
      modelGroups: { a: { deployments: [{ id: 'a1', provider: 'p', model: 'm' }] } },
      routes: [{ name: 'r', chain: ['a'], staleIfError: false }],
      policies: { breaker: { failureThreshold: 1 } },
    }, { providers: () => provider });
    await router.chat({ model: 'r', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    broken = false;
    const result = await router.chat({ model: 'r', messages: [{ role: 'user', content: 'x' }] });
    expect(result.served.servedBy).toBe('a1');
    await router.close();
  });
});
