import { afterEach, describe, expect, it } from 'vitest';
import { ConcurrencyLimitedError, RateLimitedError } from '../../core/errors.js';
import type { RunnablePolicy } from '../../core/policy.js';
import { ask, startFixture, type Fixture } from './router.fixture.js';

/** A front policy that refuses every call with `error` (what a full limiter or spent quota does). */
const refusing = (error: Error): RunnablePolicy => ({
  execute: () => Promise.reject(error),
  run: () => Promise.reject(error),
});

describe('RouterDeps.deploymentPolicies (scale-out hook)', () => {
  let fx: Fixture | undefined;
  afterEach(async () => fx?.close());

  it.each([
    ['a full adaptive concurrency limit', new ConcurrencyLimitedError(3, 50)],
    ['a spent shared rate limit', new RateLimitedError(2_000)],
  ])('%s is a local refusal: nothing sent, breaker untouched, the next deployment answers', async (_label, error) => {
    const seen: string[] = [];
    fx = await startFixture({
      policies: { breaker: { failureThreshold: 1 } },
      deps: {
        deploymentPolicies: ({ id, group, config }) => {
          seen.push(`${group}/${id}/${config.model}`);
          return id === 'primary' ? [refusing(error)] : [];
        },
      },
    });
    const { served } = await fx.router.chat(ask('hello'));
    expect(served.servedBy).toBe('secondary');
    expect(fx.calls('primary')).toBe(0);
    const primary = fx.router.inspect().routes[0].chain[0].deployments.find((d) => d.id === 'primary');
    expect(primary?.breaker).toBe('closed');
    expect(seen).toEqual(['gpt4/primary/gpt-4o', 'gpt35/secondary/gpt-4o-mini']); // built once per deployment
  });

  it('policies that admit let the call through unchanged', async () => {
    let ran = 0;
    const counting: RunnablePolicy = {
      execute: (op, signal) => { ran++; return Promise.resolve(op({ signal: signal ?? new AbortController().signal, attempt: 1 })); },
      run: (op, context) => { ran++; return Promise.resolve(op(context)); },
    };
    fx = await startFixture({ deps: { deploymentPolicies: () => [counting] } });
    const { served } = await fx.router.chat(ask('hello'));
    expect(served.servedBy).toBe('primary');
    expect(ran).toBe(1);
  });
});
