import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ask, startFixture } from '../router/router.fixture.js';
import { setTraceContentCapture } from './content-capture.js';
import { RequestTrace } from './request-trace.js';

const DOWN = { errors: { '503': 1 } };

/** Runs `call` while moving the fixture's virtual clock (retry backoff and Retry-After waits). */
async function driven<T>(clock: { advance(ms: number): Promise<void> }, call: Promise<T>): Promise<T> {
  let settled = false;
  const done = call.finally(() => (settled = true));
  for (let i = 0; i < 200 && !settled; i++) {
    await clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
  }
  return done;
}

describe('router spans through @opentelemetry/api (library use)', () => {
  it('builds nothing while no tracer provider is registered', () => {
    expect(RequestTrace.start('gpt-4', { describe: () => ask('hi') }, 'default', false)).toBeUndefined();
  });

  describe('with a registered provider', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    beforeAll(() => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      trace.setGlobalTracerProvider(provider);
    });
    afterEach(() => {
      exporter.reset();
      setTraceContentCapture(false);
    });
    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
    });

    it('a fallback: one INTERNAL request span, one CLIENT span per attempt under it, parented on the caller\'s active span', async () => {
      const f = await startFixture({ policies: { retry: { maxAttempts: 1 } } });
      try {
        f.mock.setProfile({ deployments: { primary: DOWN } });
        const outer = provider.getTracer('app').startSpan('app work');
        const result = await context.with(trace.setSpan(context.active(), outer), () => f.router.chat(ask('a prompt that must not be traced')));
        outer.end();
        expect(result.served.servedBy).toBe('secondary');
        const spans = exporter.getFinishedSpans();
        const request = spans.find((s) => s.name === 'chat gpt-4')!;
        expect(request.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
        expect(request.attributes).toMatchObject({
          'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4', 'bulwark.served_by': 'secondary',
          'bulwark.fallback_depth': 1, 'bulwark.attempts': 2, 'bulwark.degraded': false,
        });
        expect(request.events.map((e) => e.name)).toEqual(['bulwark.fallback']);
        const attempts = spans.filter((s) => s.parentSpanContext?.spanId === request.spanContext().spanId);
        expect(attempts.map((s) => [s.name, s.attributes['bulwark.deployment'], s.attributes['error.type'], s.status.code])).toEqual([
          ['chat gpt-4o', 'primary', 'overloaded', 2],
          ['chat gpt-4o-mini', 'secondary', undefined, 0],
        ]);
        expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('a prompt that must not be traced');
      } finally {
        await f.close();
      }
    });

    it('a retry on the same deployment is an event; the breaker opening is an event', async () => {
      const f = await startFixture({ policies: { retry: { maxAttempts: 2 }, breaker: { failureThreshold: 1 } } });
      try {
        f.mock.setProfile({ deployments: { primary: DOWN } });
        await driven(f.clock, f.router.chat(ask('hello')));
        const request = exporter.getFinishedSpans().find((s) => s.name === 'chat gpt-4')!;
        const names = request.events.map((e) => e.name);
        expect(names).toContain('bulwark.breaker.transition');
        const transition = request.events.find((e) => e.name === 'bulwark.breaker.transition')!;
        expect(transition.attributes).toMatchObject({ 'bulwark.deployment': 'primary', 'bulwark.breaker.from': 'closed', 'bulwark.breaker.to': 'open' });
      } finally {
        await f.close();
      }
    });

    it('records retries of one deployment as events', async () => {
      const f = await startFixture({ policies: { retry: { maxAttempts: 2 }, breaker: { failureThreshold: 100 } } });
      try {
        f.mock.setProfile({ deployments: { primary: DOWN } });
        await driven(f.clock, f.router.chat(ask('hello')));
        const request = exporter.getFinishedSpans().find((s) => s.name === 'chat gpt-4')!;
        expect(request.events.filter((e) => e.name === 'bulwark.retry').map((e) => e.attributes)).toEqual([{ 'bulwark.deployment': 'primary', 'bulwark.retry': 1 }]);
      } finally {
        await f.close();
      }
    });

    it('records prompts and answers only after an explicit opt-in', async () => {
      const f = await startFixture();
      try {
        setTraceContentCapture(true);
        await f.router.chat(ask('opted-in prompt'));
        const request = exporter.getFinishedSpans().find((s) => s.name === 'chat gpt-4')!;
        expect(String(request.attributes['gen_ai.input.messages'])).toContain('opted-in prompt');
        expect(request.attributes['gen_ai.output.messages']).toBeDefined();
      } finally {
        await f.close();
      }
    });

    it('a stream: its attempt span lasts until the stream ends, with its tokens', async () => {
      const f = await startFixture();
      try {
        const stream = await f.router.stream(ask('stream me'));
        for await (const event of stream) void event;
        const spans = exporter.getFinishedSpans();
        const request = spans.find((s) => s.name === 'chat gpt-4')!;
        expect(request.attributes['bulwark.stream']).toBe(true);
        const attempt = spans.find((s) => s.parentSpanContext?.spanId === request.spanContext().spanId)!;
        expect(attempt.attributes['bulwark.deployment']).toBe('primary');
        expect(Number(attempt.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
      } finally {
        await f.close();
      }
    });
  });
});
