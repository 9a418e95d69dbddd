/**
 * One contract suite, run against every provider transport over real HTTP (a local node:http
 * upstream on port 0), with the canonical codec the library's router.chat()/stream() use on
 * top. Timeouts run on a FakeClock injected into the provider.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TimeoutError } from '../../core/errors.js';
import { FakeClock } from '../../core/fake-clock.js';
import { parseAnthropicRequest } from '../dialects/anthropic-request.js';
import {
  ANTHROPIC_RESPONSE, ANTHROPIC_SSE, CANONICAL_EVENTS, CANONICAL_REQUEST, CANONICAL_RESPONSE, OPENAI_RESPONSE, OPENAI_SSE,
} from '../dialects/conversation.fixture.js';
import { parseOpenAIRequest } from '../dialects/openai-request.js';
import { LlmError } from '../errors.js';
import type { Provider, ProviderConfig } from '../provider.js';
import type { StreamEvent } from '../types.js';
import { canonicalCalls } from './canonical-calls.fixture.js';
import { createProvider } from './create-provider.js';
import { sendJson, startSse, Upstream, type RecordedRequest } from './upstream.fixture.js';

const API_KEY = 'sk-test-SECRET-0123456789abcdef';
const NOW = Date.UTC(2026, 0, 1);

interface DialectCase {
  name: 'openai' | 'anthropic';
  config(url: string): ProviderConfig;
  path: string;
  checkAuth(headers: RecordedRequest['headers']): void;
  readSent(body: string): unknown;
  okBody: unknown;
  okCanonical: typeof CANONICAL_RESPONSE;
  sse: string;
  errorBody(type: string, message: string, code?: string): unknown;
  /** Where the SSE text is cut for the "stream cut mid-way" tests (after some events, before the finish). */
  cutMarker: string;
}

const CASES: DialectCase[] = [
  {
    name: 'openai',
    config: (url) => ({ type: 'openai', baseUrl: `${url}/v1`, apiKey: API_KEY }),
    path: '/v1/chat/completions',
    checkAuth: (h) => expect(h.authorization).toBe(`Bearer ${API_KEY}`),
    readSent: (body) => parseOpenAIRequest(JSON.parse(body)).request,
    okBody: OPENAI_RESPONSE,
    okCanonical: CANONICAL_RESPONSE,
    sse: OPENAI_SSE,
    errorBody: (type, message, code) => ({ error: { message, type, code: code ?? null, param: null } }),
    cutMarker: '"finish_reason":"tool_calls"',
  },
  {
    name: 'anthropic',
    config: (url) => ({ type: 'anthropic', baseUrl: url, apiKey: API_KEY }),
    path: '/v1/messages',
    checkAuth: (h) => {
      expect(h['x-api-key']).toBe(API_KEY);
      expect(h['anthropic-version']).toBe('2023-06-01');
    },
    readSent: (body) => parseAnthropicRequest(JSON.parse(body)).request,
    okBody: ANTHROPIC_RESPONSE,
    okCanonical: { ...CANONICAL_RESPONSE, created: NOW / 1000 },
    sse: ANTHROPIC_SSE,
    errorBody: (type, message) => ({ type: 'error', error: { type, message } }),
    cutMarker: 'event: message_delta',
  },
];

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

async function caught(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected a rejection');
}

/** True if `p` is still pending after I/O had a chance to run. */
async function isPending(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(() => (settled = true), () => (settled = true));
  await new Promise((r) => setTimeout(r, 20));
  return !settled;
}

describe.each(CASES)('provider contract: $name', (d) => {
  let upstream: Upstream;
  let clock: FakeClock;
  let provider: Provider;
  /** The canonical codec over this provider's transport, as the router calls it. */
  const calls = () => canonicalCalls(provider, clock);

  beforeAll(async () => {
    upstream = await Upstream.start();
  });
  afterAll(async () => {
    await upstream.close();
  });
  const setup = () => {
    clock = new FakeClock(NOW);
    provider = createProvider(d.config(upstream.url), { clock });
  };
  afterEach(async () => {
    await provider?.close();
  });

  it('answers a chat call, sending the translated request with credentials', async () => {
    setup();
    upstream.handler = (r) => sendJson(r.res, 200, d.okBody);
    const response = await calls().chat(CANONICAL_REQUEST);
    expect(response).toEqual(d.okCanonical);
    const sent = upstream.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(d.path);
    d.checkAuth(sent.headers);
    expect(d.readSent(sent.body)).toEqual(CANONICAL_REQUEST);
    expect(provider.dialect).toBe(d.name);
  });

  it('reuses keep-alive connections for sequential calls, including streams that end after their finish event', async () => {
    setup();
    let responseEnded: Promise<void> = Promise.resolve();
    upstream.handler = (r) => {
      responseEnded = new Promise((resolve) => r.res.on('finish', resolve));
      if (JSON.parse(r.body).stream) {
        startSse(r.res);
        r.res.write(d.sse);
        // The body ends a little after the finish event: the socket must be drained, not cut.
        setTimeout(() => r.res.end(), 5);
      } else {
        sendJson(r.res, 200, d.okBody);
      }
    };
    const before = upstream.connections;
    for (let i = 0; i < 10; i++) {
      await calls().chat(CANONICAL_REQUEST);
      await responseEnded;
      expect(await collect(calls().stream(CANONICAL_REQUEST))).toEqual(CANONICAL_EVENTS);
      await responseEnded;
    }
    // undici may open a second socket while the first is still being released; never one per call.
    expect(upstream.connections - before).toBeLessThanOrEqual(2);
  });

  it('streams the answer as canonical events', async () => {
    setup();
    upstream.handler = (r) => {
      startSse(r.res);
      // Dribble the stream in small pieces so events straddle TCP writes.
      const text = d.sse;
      let i = 0;
      const step = () => {
        if (i >= text.length) return void r.res.end();
        r.res.write(text.slice(i, i + 37));
        i += 37;
        setImmediate(step);
      };
      step();
    };
    expect(await collect(calls().stream(CANONICAL_REQUEST))).toEqual(CANONICAL_EVENTS);
    expect(JSON.parse(upstream.requests.at(-1)!.body).stream).toBe(true);
  });

  const ERRORS: [string, number, Record<string, string>, unknown, string, number | undefined][] = [
    ['429 with retry-after seconds', 429, { 'retry-after': '2' }, d.errorBody('rate_limit_error', 'Slow down'), 'rate_limited', 2000],
    ['429 with retry-after-ms', 429, { 'retry-after-ms': '150', 'retry-after': '9' }, d.errorBody('rate_limit_error', 'Slow down'), 'rate_limited', 150],
    ['429 with retry-after HTTP date', 429, { 'retry-after': new Date(NOW + 5000).toUTCString() }, d.errorBody('rate_limit_error', 'x'), 'rate_limited', 5000],
    ['429 with x-ratelimit-reset-*', 429, { 'x-ratelimit-remaining-requests': '5', 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' }, d.errorBody('rate_limit_error', 'x'), 'rate_limited', 360_000],
    ['429 with anthropic-ratelimit reset', 429, { 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': new Date(NOW + 20_000).toISOString() }, d.errorBody('rate_limit_error', 'x'), 'rate_limited', 20_000],
    ['529 overloaded', 529, {}, d.errorBody('overloaded_error', 'Overloaded'), 'overloaded', undefined],
    ['503', 503, { 'retry-after': '1' }, 'Service Unavailable', 'overloaded', 1000],
    ['500', 500, {}, d.errorBody('api_error', 'Internal'), 'server_error', undefined],
    ['502 with an HTML body', 502, {}, '<html>bad gateway</html>', 'server_error', undefined],
    ['401', 401, {}, d.errorBody('authentication_error', 'invalid x-api-key'), 'auth', undefined],
    ['403', 403, {}, d.errorBody('permission_error', 'no access'), 'auth', undefined],
    ['400 context length', 400, {}, d.name === 'openai'
      ? d.errorBody('invalid_request_error', "This model's maximum context length is 8192 tokens.", 'context_length_exceeded')
      : d.errorBody('invalid_request_error', 'prompt is too long: 250000 tokens > 200000 maximum'), 'context_length_exceeded', undefined],
    ['400 content filter', 400, {}, d.errorBody('invalid_request_error', 'The response was filtered due to the prompt triggering content management policy.', 'content_filter'), 'content_filtered', undefined],
    ['400 other', 400, {}, d.errorBody('invalid_request_error', 'temperature: bad'), 'bad_request', undefined],
    ['404', 404, {}, d.errorBody('not_found_error', 'model: nope'), 'bad_request', undefined],
  ];

  it.each(ERRORS)('classifies %s (chat and stream)', async (_label, status, headers, body, kind, retryAfterMs) => {
    setup();
    upstream.handler = (r) => (typeof body === 'string'
      ? (r.res.writeHead(status, { 'content-type': 'text/html', ...headers }), r.res.end(body))
      : sendJson(r.res, status, body, headers));
    for (const call of [calls().chat(CANONICAL_REQUEST), collect(calls().stream(CANONICAL_REQUEST))]) {
      const err = await caught(call);
      expect(err.kind).toBe(kind);
      expect(err.upstreamStatus).toBe(status);
      expect(err.retryAfterMs).toBe(retryAfterMs);
    }
  });

  it('never puts the API key in an error message, even when the upstream echoes it', async () => {
    setup();
    upstream.handler = (r) => sendJson(r.res, 401, d.errorBody('authentication_error',
      `bad key ${r.headers.authorization ?? ''} ${r.headers['x-api-key'] ?? ''} ${API_KEY}`));
    for (const call of [calls().chat(CANONICAL_REQUEST), collect(calls().stream(CANONICAL_REQUEST))]) {
      const err = await caught(call);
      expect(err.kind).toBe('auth');
      expect(err.message).toContain('bad key');
      expect(err.message).not.toContain(API_KEY);
      expect(err.message).not.toContain('SECRET');
      expect(JSON.stringify(err)).not.toContain('SECRET');
    }
  });

  it('never puts a credential given through `headers` in an error message either', async () => {
    const headerSecret = 'hdr-SECRET-fedcba9876543210';
    clock = new FakeClock(NOW);
    provider = createProvider({ ...d.config(upstream.url), headers: { 'x-goog-api-key': headerSecret, 'X-Auth-Token': headerSecret, 'x-org': 'acme' } }, { clock });
    upstream.handler = (r) => sendJson(r.res, 401, d.errorBody('authentication_error', `bad ${r.headers['x-goog-api-key'] ?? ''} / ${r.headers['x-auth-token'] ?? ''} for ${r.headers['x-org'] ?? ''}`));
    for (const call of [calls().chat(CANONICAL_REQUEST), collect(calls().stream(CANONICAL_REQUEST))]) {
      const err = await caught(call);
      expect(err.message).not.toContain('SECRET');
      expect(err.message).toContain('for acme'); // ordinary header values are not secrets
    }
  });

  it('throws connection when the stream is cut mid-way (socket destroyed)', async () => {
    setup();
    upstream.handler = (r) => {
      startSse(r.res);
      r.res.write(d.sse.slice(0, d.sse.indexOf(d.cutMarker) - 10));
      setTimeout(() => r.res.socket?.destroy(), 10);
    };
    const events: StreamEvent[] = [];
    const err = await caught((async () => {
      for await (const e of calls().stream(CANONICAL_REQUEST)) events.push(e);
    })());
    expect(err.kind).toBe('connection');
    expect(events.length).toBeGreaterThan(2);
    expect(events.some((e) => e.type === 'finish')).toBe(false);
  });

  it('throws connection when the body ends cleanly without the finish event', async () => {
    setup();
    upstream.handler = (r) => {
      startSse(r.res);
      r.res.end(d.sse.slice(0, d.sse.indexOf(d.cutMarker)));
    };
    expect((await caught(collect(calls().stream(CANONICAL_REQUEST)))).kind).toBe('connection');
  });

  it('throws server_error on a malformed chunk', async () => {
    setup();
    upstream.handler = (r) => {
      startSse(r.res);
      r.res.end(d.sse.replace('"Check"', '"Check'));
    };
    expect((await caught(collect(calls().stream(CANONICAL_REQUEST)))).kind).toBe('server_error');
  });

  it('enforces the first-token timeout on the injected clock and closes the upstream socket', async () => {
    setup();
    upstream.handler = (r) => startSse(r.res); // headers, then nothing
    const iterator = calls().stream(CANONICAL_REQUEST, { firstTokenTimeoutMs: 1000 })[Symbol.asyncIterator]();
    const next = iterator.next();
    const request = await upstream.nextRequest();
    await clock.advance(999);
    expect(await isPending(next)).toBe(true);
    await clock.advance(1);
    const err = await caught(next);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('first-token');
    await request.aborted;
  });

  it('enforces the idle timeout between events, not counting time the consumer holds an event', async () => {
    setup();
    const firstPart = d.sse.slice(0, d.sse.indexOf(d.name === 'openai' ? 'data: ' : 'event: ', 10));
    upstream.handler = (r) => {
      startSse(r.res);
      r.res.write(firstPart);
    };
    const iterator = calls().stream(CANONICAL_REQUEST, { firstTokenTimeoutMs: 1000, idleTimeoutMs: 500 })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toEqual(CANONICAL_EVENTS[0]);
    const request = upstream.requests.at(-1)!;
    await clock.advance(5000); // the consumer holds the event: not an upstream stall
    const next = iterator.next();
    await clock.advance(499);
    expect(await isPending(next)).toBe(true);
    await clock.advance(1);
    const err = await caught(next);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('idle');
    await request.aborted;
  });

  it('cancels a stream at once when the caller aborts, closing the upstream socket', async () => {
    setup();
    upstream.handler = (r) => {
      startSse(r.res);
      r.res.write(d.sse.slice(0, d.sse.indexOf(d.cutMarker) - 10));
    };
    const controller = new AbortController();
    const iterator = calls().stream(CANONICAL_REQUEST, { signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    const request = upstream.requests.at(-1)!;
    const next = iterator.next();
    expect(await isPending(next)).toBe(false); // buffered events still flow
    controller.abort();
    let err: LlmError | undefined;
    for (;;) {
      try {
        if ((await iterator.next()).done) break;
      } catch (e) {
        err = e as LlmError;
        break;
      }
    }
    expect(err?.kind).toBe('cancelled');
    await request.aborted;
  });

  it('cancels a chat call while waiting for the answer, closing the upstream socket', async () => {
    setup();
    upstream.handler = () => undefined; // never answers
    const controller = new AbortController();
    const call = calls().chat(CANONICAL_REQUEST, { signal: controller.signal });
    const request = await upstream.nextRequest();
    controller.abort();
    expect((await caught(call)).kind).toBe('cancelled');
    await request.aborted;
  });

  it('reports an abort caused by a timeout policy as timeout, not cancelled', async () => {
    setup();
    upstream.handler = () => undefined; // never answers
    for (const start of [(signal: AbortSignal) => calls().chat(CANONICAL_REQUEST, { signal }), (signal: AbortSignal) => collect(calls().stream(CANONICAL_REQUEST, { signal }))]) {
      const controller = new AbortController();
      const call = start(controller.signal);
      const request = await upstream.nextRequest();
      controller.abort(new TimeoutError(30_000));
      expect((await caught(call)).kind).toBe('timeout');
      await request.aborted;
    }
  });

  it('fails fast with cancelled when the signal is already aborted', async () => {
    setup();
    const signal = AbortSignal.abort();
    expect((await caught(calls().chat(CANONICAL_REQUEST, { signal }))).kind).toBe('cancelled');
    expect((await caught(collect(calls().stream(CANONICAL_REQUEST, { signal })))).kind).toBe('cancelled');
  });

  it('classifies a refused connection as connection, without the key in the message', async () => {
    const dead = await Upstream.start();
    const url = dead.url;
    await dead.close();
    clock = new FakeClock(NOW);
    provider = createProvider(d.config(url), { clock });
    for (const call of [calls().chat(CANONICAL_REQUEST), collect(calls().stream(CANONICAL_REQUEST))]) {
      const err = await caught(call);
      expect(err.kind).toBe('connection');
      expect(err.message).not.toContain(API_KEY);
    }
  });
});
