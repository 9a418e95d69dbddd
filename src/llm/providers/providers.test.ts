import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { CANONICAL_REQUEST, OPENAI_RESPONSE } from '../dialects/conversation.fixture.js';
import type { ProviderConfig } from '../provider.js';
import { ANTHROPIC_API_VERSION, AnthropicProvider } from './anthropic.js';
import { createProvider } from './create-provider.js';
import { DEFAULT_H2_MAX_CONCURRENT_STREAMS, DEFAULT_KEEP_ALIVE_MS, MAX_ERROR_BODY_BYTES } from './http-provider.js';
import { AZURE_DEFAULT_API_VERSION, OpenAIProvider } from './openai.js';
import { canonicalCalls } from './canonical-calls.fixture.js';
import { StreamWatchdog } from './stream-watchdog.js';
import { sendJson, Upstream } from './upstream.fixture.js';

describe('OpenAI token cap field', () => {
  it.each([
    ['gpt-4o', 'max_tokens'],
    ['gpt-4o-mini', 'max_tokens'],
    ['o1', 'max_completion_tokens'],
    ['o3-mini', 'max_completion_tokens'],
    ['gpt-5-mini', 'max_completion_tokens'],
  ])('%s gets %s over HTTP', async (model, field) => {
    const upstream = await Upstream.start();
    upstream.handler = (r) => sendJson(r.res, 200, OPENAI_RESPONSE);
    const provider = createProvider({ type: 'openai', baseUrl: `${upstream.url}/v1` });
    try {
      await canonicalCalls(provider, new FakeClock()).chat({ ...CANONICAL_REQUEST, model, maxTokens: 77 });
      const body = JSON.parse(upstream.requests[0].body) as Record<string, unknown>;
      expect(body[field]).toBe(77);
      expect(Object.keys(body).filter((k) => k === 'max_tokens' || k === 'max_completion_tokens')).toEqual([field]);
    } finally {
      await provider.close();
      await upstream.close();
    }
  });
});

describe('provider defaults', () => {
  it('are pinned', () => {
    expect(DEFAULT_H2_MAX_CONCURRENT_STREAMS).toBe(100);
    expect(DEFAULT_KEEP_ALIVE_MS).toBe(30_000);
    expect(MAX_ERROR_BODY_BYTES).toBe(65_536);
    expect(AZURE_DEFAULT_API_VERSION).toBe('2024-10-21');
    expect(ANTHROPIC_API_VERSION).toBe('2023-06-01');
  });
});

describe('createProvider', () => {
  it('picks the adapter by type', async () => {
    const providers = [
      createProvider({ type: 'openai', baseUrl: 'http://127.0.0.1:1/v1' }),
      createProvider({ type: 'azure', baseUrl: 'http://127.0.0.1:1' }),
      createProvider({ type: 'anthropic', baseUrl: 'http://127.0.0.1:1' }),
    ];
    expect(providers.map((p) => [p.constructor, p.dialect])).toEqual([
      [OpenAIProvider, 'openai'], [OpenAIProvider, 'openai'], [AnthropicProvider, 'anthropic'],
    ]);
    await Promise.all(providers.map((p) => p.close()));
  });

  it.each([
    [{ type: 'cohere', baseUrl: 'http://x' }, "provider.type must be 'openai', 'azure', 'anthropic', 'gemini', 'vertex' or 'bedrock', got \"cohere\""],
    [{ type: 'openai', baseUrl: 'not a url' }, 'provider.baseUrl must be an absolute http(s) URL, got "not a url"'],
    [{ type: 'openai', baseUrl: 'ftp://x' }, 'provider.baseUrl must use http or https, got "ftp:"'],
    [{ type: 'anthropic', baseUrl: 'http://x', connections: 0 }, 'provider.connections must be a positive integer, got 0'],
  ])('rejects %j naming the field', (config, message) => {
    expect(() => createProvider(config as ProviderConfig)).toThrow(InvalidOptionsError);
    expect(() => createProvider(config as ProviderConfig)).toThrow(message);
  });
});

describe('URLs and headers sent upstream', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await Upstream.start();
    upstream.handler = (r) => (r.url.includes('messages')
      ? sendJson(r.res, 200, { id: 'a', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } })
      : sendJson(r.res, 200, OPENAI_RESPONSE));
  });
  afterAll(() => upstream.close());

  it.each([
    ['Azure OpenAI', { type: 'azure', baseUrl: '', apiKey: 'azure-key-123456', apiVersion: '2025-01-01' }, '/openai/deployments/gpt%204o/chat/completions?api-version=2025-01-01', { 'api-key': 'azure-key-123456', authorization: undefined }],
    ['Azure default api-version', { type: 'azure', baseUrl: '', apiKey: 'azure-key-123456' }, `/openai/deployments/gpt%204o/chat/completions?api-version=${AZURE_DEFAULT_API_VERSION}`, { 'api-key': 'azure-key-123456' }],
    ['OpenAI-compatible with a path prefix', { type: 'openai', baseUrl: '/proxy/v1/', apiKey: 'k-123456', headers: { 'X-Org': 'acme' } }, '/proxy/v1/chat/completions', { authorization: 'Bearer k-123456', 'x-org': 'acme', 'api-key': undefined }],
    ['OpenAI-compatible without a key', { type: 'openai', baseUrl: '/v1' }, '/v1/chat/completions', { authorization: undefined }],
    ['Anthropic root URL', { type: 'anthropic', baseUrl: '', apiKey: 'ak-123456' }, '/v1/messages', { 'x-api-key': 'ak-123456', 'anthropic-version': '2023-06-01' }],
    ['Anthropic URL ending in /v1, version overridden', { type: 'anthropic', baseUrl: '/v1', apiKey: 'ak-123456', headers: { 'Anthropic-Version': '2099-01-01', 'anthropic-beta': 'x' } }, '/v1/messages', { 'anthropic-version': '2099-01-01', 'anthropic-beta': 'x' }],
  ] as const)('%s', async (_label, partial, path, headers) => {
    const provider = createProvider({ ...partial, baseUrl: upstream.url + partial.baseUrl } as ProviderConfig, { clock: new FakeClock() });
    try {
      await canonicalCalls(provider, new FakeClock()).chat({ ...CANONICAL_REQUEST, model: 'gpt 4o' });
      const sent = upstream.requests.at(-1)!;
      expect(sent.url).toBe(path);
      for (const [name, value] of Object.entries(headers)) expect(sent.headers[name]).toBe(value);
    } finally {
      await provider.close();
    }
  });
});

describe('request translation failures', () => {
  it('surface as invalid_request from chat() and from stream iteration, before anything is sent', async () => {
    const upstream = await Upstream.start();
    const provider = createProvider({ type: 'anthropic', baseUrl: upstream.url });
    const request = { model: 'm', messages: [{ role: 'assistant' as const, content: '', toolCalls: [{ id: 'a', name: 't', arguments: 'not json' }] }] };
    try {
      const calls = canonicalCalls(provider, new FakeClock());
      await expect(calls.chat(request)).rejects.toMatchObject({ kind: 'invalid_request' });
      const stream = calls.stream(request); // building the iterable never throws
      await expect(stream[Symbol.asyncIterator]().next()).rejects.toMatchObject({ kind: 'invalid_request' });
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await provider.close();
      await upstream.close();
    }
  });
});

describe('StreamWatchdog', () => {
  it('fires the first-token timeout once, at the deadline, and not after stop()', async () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const dog = new StreamWatchdog(clock, (e) => fired.push(e.kind), 100, 50);
    dog.start();
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(['timeout']);
    await clock.advance(1000);
    expect(fired).toEqual(['timeout']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('switches to the idle deadline after the first event and ignores paused time', async () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const dog = new StreamWatchdog(clock, (e) => fired.push(e.message), 1000, 50);
    dog.start();
    await clock.advance(10);
    dog.pause();
    await clock.advance(5000);
    dog.resume();
    await clock.advance(49);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toContain('idle timeout');
  });

  it('never fires without limits, and keeps at most one timer pending', async () => {
    const clock = new FakeClock();
    const none = new StreamWatchdog(clock, () => expect.unreachable(), undefined, undefined);
    none.start();
    none.pause();
    none.resume();
    expect(clock.pendingTimers).toBe(0);
    const dog = new StreamWatchdog(clock, () => undefined, 100, 100);
    dog.start();
    for (let i = 0; i < 50; i++) {
      dog.pause();
      dog.resume();
      await clock.advance(1);
    }
    expect(clock.pendingTimers).toBe(1);
    dog.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
