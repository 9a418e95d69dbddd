import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock.js';
import { AllFallbacksFailedError, LlmError } from '../llm/errors.js';
import { loadSheddingSchema } from './config/scale-out-schema.js';
import { RequestContext } from './http/request-context.js';
import { LoadShedder } from './load-shedder.js';
import type { GatewayDialect } from './dialect.js';

// The gateway-wide limit protects the gateway. What an upstream does (its 503s, its timeouts, the
// time a request spent on failed attempts before a fallback answered) is the deployments' limits'
// business: cutting the whole gateway for it sheds what the fallbacks would have served.
const req = { headers: {} } as IncomingMessage;
const res = {} as ServerResponse;
const dialect = {} as GatewayDialect;

function shedder(clock: FakeClock): LoadShedder {
  return new LoadShedder(loadSheddingSchema.parse({}), clock, () => 1_048_576);
}

async function callFailing(s: LoadShedder, clock: FakeClock, error: unknown): Promise<void> {
  const context = new RequestContext('r', 'POST', '/v1/chat/completions', dialect, clock.now());
  const run = s.wrap(async () => {
    await clock.advance(300);
    throw error;
  })(context, req, res);
  await expect(run).rejects.toBe(error);
}

describe('the gateway-wide load-shedding limit', () => {
  it('is not cut by upstream overload failures (every step of the chain overloaded)', async () => {
    const clock = new FakeClock();
    const s = shedder(clock);
    const before = s.limiter.limit;
    const upstreamOverloaded = new AllFallbacksFailedError(3, new LlmError('overloaded', 'upstream 503'));
    for (let i = 0; i < 100; i++) await callFailing(s, clock, upstreamOverloaded);
    expect(s.limiter.limit).toBe(before);
  });

  it('is cut when Bulwark itself is overloaded (its process-wide answer budget is full)', async () => {
    const clock = new FakeClock();
    const s = shedder(clock);
    const before = s.limiter.limit;
    const ownLimit = new AllFallbacksFailedError(1, new LlmError('gateway_overloaded', 'answer budget full'));
    for (let i = 0; i < 100; i++) await callFailing(s, clock, ownLimit);
    expect(s.limiter.limit).toBeLessThan(before / 2);
  });

  it('takes no latency sample from an answer that needed retries or a fallback', async () => {
    const clock = new FakeClock();
    const s = shedder(clock);
    const fast = async (served: RequestContext['served'], ms: number) => {
      const context = new RequestContext('r', 'POST', '/v1/chat/completions', dialect, clock.now());
      await s.wrap(async (ctx) => {
        await clock.advance(ms);
        ctx.status = 200;
        ctx.served = served;
      })(context, req, res);
    };
    // Teach the limit a 5 ms upstream at full use of the limit, then answers that took 5 s of failed attempts.
    for (let i = 0; i < 200; i++) await fast({ servedBy: 'primary', attempts: 1, fallbackDepth: 0, degraded: false }, 5);
    const before = s.limiter.limit;
    for (let i = 0; i < 200; i++) await fast({ servedBy: 'secondary', attempts: 3, fallbackDepth: 1, degraded: false }, 5_000);
    expect(s.limiter.limit).toBe(before);
  });
});
