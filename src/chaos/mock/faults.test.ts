import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import { sampleLatencyMs } from './latency.js';
import { startMockProvider, type MockProvider, type MockProviderOptions } from './server.js';
import { chatBody, collectEvents, messagesBody, postJson, RecordingClock, sseEvents, until } from './test-support.js';

let mock: MockProvider | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
async function start(options: MockProviderOptions): Promise<MockProvider> {
  mock = await startMockProvider(options);
  return mock;
}
const chat = (m: MockProvider, over: Record<string, unknown> = {}, init?: RequestInit) => postJson(`${m.url}/v1/chat/completions`, chatBody(over), init);
const messages = (m: MockProvider, over: Record<string, unknown> = {}, init?: RequestInit) => postJson(`${m.url}/v1/messages`, messagesBody(over), init);

describe('mock faults over HTTP', () => {
  it.each([
    [429, 'rate_limit_exceeded', 'rate_limit_error'],
    [500, null, 'api_error'],
    [503, 'service_unavailable', 'api_error'],
    [529, 'overloaded', 'overloaded_error'],
  ] as const)('answers %i in each dialect’s error shape', async (status, openaiCode, anthropicType) => {
    const m = await start({ profile: { default: { errors: { [String(status)]: 1 }, retryAfterMs: 2500 } } });
    const a = await chat(m);
    expect(a.status).toBe(status);
    expect(await a.json()).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code: openaiCode } });
    const b = await messages(m);
    expect(b.status).toBe(status);
    expect(await b.json()).toEqual({ type: 'error', error: { type: anthropicType, message: expect.any(String) }, request_id: expect.stringMatching(/^req_/) });
    expect(b.headers.get('request-id')).toMatch(/^req_/);
    if (status === 429) {
      expect(a.headers.get('retry-after')).toBe('3');
      expect(a.headers.get('retry-after-ms')).toBe('2500');
    } else {
      expect(a.headers.get('retry-after')).toBeNull();
    }
    expect(m.stats().faults[String(status)]).toBe(2);
  });

  it('draws errors with the given probabilities, replayable from the seed', async () => {
    const run = async (seed: number) => {
      const m = await startMockProvider({ seed, profile: { default: { errors: { '500': 0.3, '429': 0.1 } } } });
      const statuses: number[] = [];
      for (let i = 0; i < 80; i++) {
        const r = await chat(m);
        await r.arrayBuffer();
        statuses.push(r.status);
      }
      await m.close();
      return statuses;
    };
    const first = await run(5);
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(12); // expected 24
    expect(first.filter((s) => s === 500).length).toBeLessThan(36);
    expect(first.filter((s) => s === 429).length).toBeGreaterThan(2); // expected 8
    expect(first.filter((s) => s === 429).length).toBeLessThan(16);
    expect(await run(5)).toEqual(first);
    expect(await run(6)).not.toEqual(first);
  });

  it('delays the answer by the seeded latency distribution, on the injected clock', async () => {
    const clock = new RecordingClock();
    const spec = { kind: 'lognormal', p50Ms: 200, p99Ms: 2000 } as const;
    const m = await start({ clock, seed: 9, profile: { default: { latency: spec } } });
    const expected = seededRandom(9);
    for (let i = 0; i < 3; i++) {
      let answered = false;
      const response = chat(m).then((r) => ((answered = true), r));
      await until(() => clock.pendingTimers === 1, 'the latency timer');
      const delay = clock.delays[i];
      expect(delay).toBeCloseTo(sampleLatencyMs(spec, expected), 9);
      expect(answered).toBe(false);
      await clock.advance(delay - 1);
      expect(answered).toBe(false);
      await clock.advance(1);
      expect((await response).status).toBe(200);
    }
    expect(m.stats().faults.latency).toBe(3);
  });

  it('hangs until the client goes away', async () => {
    const m = await start({ profile: 'hang' });
    const controller = new AbortController();
    const pending = chat(m, {}, { signal: controller.signal });
    await until(() => m.stats().inFlight === 1, 'the hanging request');
    expect(m.stats().byStatus.hang).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await until(() => m.stats().inFlight === 0, 'the server to see the client leave');
  });

  it('destroys hanging connections on close', async () => {
    const m = await startMockProvider({ profile: 'hang' });
    const pending = chat(m);
    await until(() => m.stats().inFlight === 1, 'the hanging request');
    await m.close();
    await expect(pending).rejects.toThrow();
  });

  it('resets the connection', async () => {
    const m = await start({ profile: { default: { reset: 1 } } });
    const error = await chat(m).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error & { cause?: { code?: string; message?: string } }).cause?.code ?? (error as { cause?: Error }).cause?.message)).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    expect(m.stats().byStatus.reset).toBe(1);
  });

  it('sends malformed JSON bodies and garbled stream events', async () => {
    const m = await start({ profile: { default: { malformed: 1 } } });
    const r = await chat(m);
    expect(r.status).toBe(200);
    await expect(r.json()).rejects.toThrow(SyntaxError);
    const { events, error } = await collectEvents(await chat(m, { stream: true }));
    expect(error).toBeUndefined();
    expect(() => JSON.parse(events[0].slice('data: '.length))).toThrow(SyntaxError);
    expect(events.at(-1)).toBe('data: [DONE]');
  });

  it.each([
    ['openai', chat, 'data: [DONE]'],
    ['anthropic', messages, 'event: message_stop'],
  ] as const)('cuts %s streams after N events, without the terminal event', async (_name, send, terminal) => {
    const m = await start({ profile: { default: { streamCut: { afterChunks: 3 } } } });
    const { events, error } = await collectEvents(await send(m, { stream: true }));
    expect(events).toHaveLength(3);
    expect(error).toBeInstanceOf(TypeError); // the body broke: the client knows it is incomplete
    expect(events.some((e) => e.startsWith(terminal))).toBe(false);
    // Non-streaming requests are not affected.
    expect((await send(m)).status).toBe(200);
    expect(m.stats().faults.streamCut).toBe(1);
  });

  it('paces stream events on the clock', async () => {
    const clock = new FakeClock();
    const m = await start({ clock, profile: { default: { tokenDelayMs: 100 } } });
    const response = await messages(m, { stream: true });
    const startedAt = clock.now();
    const iterator = sseEvents(response);
    const received: string[] = [(await iterator.next()).value as string];
    while (true) {
      let arrived = false;
      const next = iterator.next().then((r) => ((arrived = true), r));
      if (clock.pendingTimers === 0) await until(() => clock.pendingTimers === 1 || arrived, 'the pacing timer');
      if (!arrived && clock.pendingTimers === 1) {
        expect(arrived).toBe(false);
        await clock.advance(100);
      }
      const result = await next;
      if (result.done) break;
      received.push(result.value);
    }
    expect(received[0]).toMatch(/^event: message_start/);
    expect(received.at(-1)).toMatch(/^event: message_stop/);
    expect(clock.now() - startedAt).toBe((received.length - 1) * 100);
  });

  it('refuses prompts above the context window in each dialect’s shape', async () => {
    const m = await start({ profile: { default: { contextWindow: { maxTokens: 10 } } } });
    const long = 'x'.repeat(100); // 25 tokens
    const a = await chat(m, { messages: [{ role: 'user', content: long }] });
    expect(a.status).toBe(400);
    expect(await a.json()).toEqual({
      error: {
        message: "This model's maximum context length is 10 tokens. However, your messages resulted in 25 tokens. Please reduce the length of the messages.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    });
    const b = await messages(m, { messages: [{ role: 'user', content: long }] });
    expect(b.status).toBe(400);
    expect((await b.json()).error).toEqual({ type: 'invalid_request_error', message: 'prompt is too long: 25 tokens > 10 maximum' });
    expect((await chat(m, { messages: [{ role: 'user', content: 'short' }] })).status).toBe(200);
    await m.close();
    const chars = await start({ profile: { default: { contextWindow: { maxChars: 50 } } } });
    expect((await chat(chars, { messages: [{ role: 'user', content: long }] })).status).toBe(400);
  });

  it('answers 401 for a bad key, in each dialect', async () => {
    const m = await start({ profile: { default: { authFailure: true } } });
    const a = await chat(m);
    expect(a.status).toBe(401);
    expect((await a.json()).error.code).toBe('invalid_api_key');
    const b = await messages(m);
    expect(b.status).toBe(401);
    expect((await b.json()).error.type).toBe('authentication_error');
  });

  it('rate-limits per second on the clock, with Retry-After to the next window', async () => {
    const clock = new FakeClock();
    const m = await start({ clock, profile: { default: { rateLimit: { requestsPerSecond: 2 } } } });
    expect((await chat(m)).status).toBe(200);
    await clock.advance(400);
    expect((await chat(m)).status).toBe(200);
    const limited = await chat(m);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after-ms')).toBe('600');
    expect(limited.headers.get('retry-after')).toBe('1');
    await clock.advance(600);
    expect((await chat(m)).status).toBe(200);
  });

  it('answers invalid requests with 400 in the dialect’s shape', async () => {
    const m = await start({});
    const a = await fetch(`${m.url}/v1/chat/completions`, { method: 'POST', body: '{not json' });
    expect(a.status).toBe(400);
    expect((await a.json()).error.type).toBe('invalid_request_error');
    const b = await postJson(`${m.url}/v1/messages`, { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'x' }] });
    expect(b.status).toBe(400);
    expect(await b.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    const c = await fetch(`${m.url}/v1/nothing`);
    expect(c.status).toBe(404);
  });
});
