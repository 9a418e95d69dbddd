import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixture, until, type Fixture } from '../router/router.fixture.js';
import { bulwarkFetch } from './bulwark-fetch.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const FULL = 'Resilience is a habit, not a feature';

function openaiClient(f: Fixture, options: Parameters<typeof bulwarkFetch>[1] = {}) {
  return new OpenAI({ apiKey: 'unused', baseURL: 'http://bulwark.local/v1', fetch: bulwarkFetch(f.router, options), maxRetries: 0 });
}

function anthropicClient(f: Fixture) {
  return new Anthropic({ apiKey: 'unused', baseURL: 'http://bulwark.local', fetch: bulwarkFetch(f.router), maxRetries: 0 });
}

describe('bulwarkFetch with the official openai client', () => {
  it('answers chat completions through the router, with served-by headers', async () => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: { errors: { '500': 1 } } } });
    const { data, response } = await openaiClient(fx)
      .chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: `echo: ${FULL}` }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe(FULL);
    expect(response.headers.get('x-bulwark-served-by')).toBe('secondary');
    expect(response.headers.get('x-bulwark-attempts')).toBe('3');
    expect(response.headers.get('x-bulwark-fallback-depth')).toBe('1');
    expect(response.headers.get('x-bulwark-degraded')).toBe('false');
  });

  it('an upstream refusal of the request reaches the client as the provider sent it (status and body)', async () => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: { contextWindow: { maxChars: 5 } }, secondary: { contextWindow: { maxChars: 5 } } } });
    const raw = await bulwarkFetch(fx.router)('http://bulwark.local/v1/chat/completions', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: FULL }] }),
    });
    const body = (await raw.json()) as { error: { code: string; message: string } };
    expect(raw.status).toBe(400);
    expect(body.error.code).toBe('context_length_exceeded');
    expect(body.error.message).not.toMatch(/^Every step|answered 400/); // the provider's own words, not the gateway's
  });

  it('streams, failing over before the first token invisibly', async () => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    const stream = await openaiClient(fx).chat.completions.create({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: `echo: ${FULL}` }] });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe(FULL);
    expect(finish).toBe('stop');
  });

  it('a stream broken mid-way that cannot continue ends with an error the SDK raises, never a clean end', async () => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: { streamCut: { afterChunks: 3 } } } });
    const stream = await openaiClient(fx).chat.completions.create({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: `echo: ${FULL}` }] });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/broke after/);
    expect(text).toBe('Resilience is');
  });

  it('returns the router errors in the OpenAI error format, without inviting SDK retries', async () => {
    fx = await startFixture({ route: { staleIfError: false } });
    fx.mock.patchProfile({ default: { errors: { '503': 1 } } });
    const client = new OpenAI({ apiKey: 'unused', baseURL: 'http://bulwark.local/v1', fetch: bulwarkFetch(fx.router) }); // default maxRetries 2
    const error = await client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('x-bulwark-served-by')).toBe('none');
    expect(fx.calls('primary') + fx.calls('secondary')).toBe(4); // one router call: the SDK did not retry it
    const unknown = await client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect((unknown as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    const bad = await client.chat.completions.create({ model: 'gpt-4', messages: [] }).catch((e: unknown) => e);
    expect((bad as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
  });

  it('lists the router models and passes tenant and abort through', async () => {
    fx = await startFixture({ route: { cache: true } });
    const f = fx;
    const client = openaiClient(f, { tenant: (req) => req.headers.get('x-tenant') ?? undefined });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['gpt-4', 'gpt4', 'gpt35']);
    const ask1 = (tenant: string) =>
      client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'hello' }] }, { headers: { 'x-tenant': tenant } }).withResponse();
    expect((await ask1('acme')).response.headers.get('x-bulwark-served-by')).toBe('primary');
    expect((await ask1('acme')).response.headers.get('x-bulwark-served-by')).toBe('cache');
    expect((await ask1('globex')).response.headers.get('x-bulwark-served-by')).toBe('primary');
    f.mock.patchProfile({ default: { hang: 1 } });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'new' }] }, { signal: controller.signal });
    await until(() => f.mock.stats().inFlight === 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await until(() => f.mock.stats().inFlight === 0);
  });
});

describe('bulwarkFetch as a plain fetch', () => {
  it('cancelling the response body aborts the upstream stream at once, even mid-wait', async () => {
    fx = await startFixture();
    const f = fx;
    f.mock.patchProfile({ deployments: { primary: { tokenDelayMs: 2_000 } } });
    const fetcher = bulwarkFetch(f.router);
    const response = await fetcher('http://bulwark.local/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: `echo: ${FULL}` }] }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-bulwark-served-by')).toBe('primary');
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('chat.completion.chunk');
    const started = Date.now();
    await reader.cancel();
    await until(() => f.mock.stats().inFlight === 0, 1_500);
    expect(Date.now() - started).toBeLessThan(1_500); // well before the next 2 s token
  });

  it('answers 404 for what it does not serve, or hands it to passthrough', async () => {
    fx = await startFixture();
    const plain = bulwarkFetch(fx.router);
    expect((await plain('http://bulwark.local/v1/images/generations', { method: 'POST', body: '{}' })).status).toBe(404);
    const seen: string[] = [];
    const through = bulwarkFetch(fx.router, { passthrough: async (input) => (seen.push(String((input as Request).url)), new Response('ok')) });
    expect(await (await through('http://bulwark.local/v1/images/generations', { method: 'POST', body: '{}' })).text()).toBe('ok');
    expect(seen).toEqual(['http://bulwark.local/v1/images/generations']);
    const invalid = await plain('http://bulwark.local/v1/chat/completions', { method: 'POST', body: '{not json' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});

describe('bulwarkFetch with the official @anthropic-ai/sdk client', () => {
  it('answers messages, streaming and not, in the Anthropic dialect', async () => {
    fx = await startFixture();
    const client = anthropicClient(fx);
    const message = await client.messages.create({ model: 'gpt-4', max_tokens: 100, messages: [{ role: 'user', content: `echo: ${FULL}` }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: FULL });
    const stream = client.messages.stream({ model: 'gpt-4', max_tokens: 100, messages: [{ role: 'user', content: `echo: ${FULL}` }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: FULL });
    expect(final.stop_reason).toBe('end_turn');
  });

  it('returns errors in the Anthropic error format', async () => {
    fx = await startFixture({ route: { staleIfError: false } });
    fx.mock.patchProfile({ default: { errors: { '500': 1 } } });
    const error = await anthropicClient(fx)
      .messages.create({ model: 'gpt-4', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });

  it('can build its router from a config and close it', async () => {
    fx = await startFixture();
    const fetcher = bulwarkFetch(fx.config, { deps: { clock: fx.clock } });
    const client = new Anthropic({ apiKey: 'unused', baseURL: 'http://bulwark.local', fetch: fetcher, maxRetries: 0 });
    const message = await client.messages.create({ model: 'gpt-4', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(fetcher.router).not.toBe(fx.router);
    await fetcher.close();
  });
});
