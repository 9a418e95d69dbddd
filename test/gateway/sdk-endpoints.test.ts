/**
 * The gateway's endpoints beyond chat, end to end over real sockets with the official SDKs:
 * client → gateway → recording upstream → mock provider. Same API on both sides, so the upstream
 * must receive the client's body as it was sent and the client must get the upstream's answer
 * unchanged; failures fail over (stateless requests) or stay where the state is (stored
 * Responses).
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockProvider } from '../../src/chaos/mock/server.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../../src/state/test-support.js';
import { startTestGateway } from './helpers.js';
import { expectPassedThrough, passThroughConfig, RECORDER_ENV, recordingFetch, startPassThroughStack, type ClientExchange, type PassThroughStack, type RecordingUpstream } from './recording-proxy.js';

const DOWN = { errors: { '503': 1 } };

let stack: PassThroughStack;
let mock: MockProvider;
let recorder: RecordingUpstream;
let gateway: Gateway;
let seen: ClientExchange[];
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  stack = await startPassThroughStack();
  ({ mock, recorder, gateway } = stack);
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.reset();
  seen = [];
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-client-key', maxRetries: 0, fetch: recordingFetch(seen) });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: 'sk-ant-client-key', maxRetries: 0, fetch: recordingFetch(seen) });
});

const passedThrough = (suffix: string, deployment = 'primary') => expectPassedThrough(recorder, seen, suffix, deployment);

describe('POST /v1/responses', () => {
  it('passes the body up and the answer back unchanged, streamed and not', async () => {
    const { data, response } = await openai.responses.create({
      model: 'gpt-4o', instructions: 'be brief', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello' }] }],
      metadata: { trace: 't-1' }, temperature: 0.2, store: true, prompt_cache_key: 'k-1', safety_identifier: 'u-1',
    }).withResponse();
    expect(response.headers.get('x-bulwark-served-by')).toBe('primary-gpt');
    expect(data.output_text).toContain('via primary');
    const call = await passedThrough('/v1/responses');
    expect(call.headers.authorization).toBe('Bearer sk-upstream-primary');

    recorder.calls.length = 0;
    const stream = await openai.responses.create({ model: 'gpt-4o', input: 'echo: streamed through', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('streamed through');
    await passedThrough('/v1/responses');
  });

  it('a stateless request fails over to the secondary when the primary is down', async () => {
    mock.patchProfile({ deployments: { primary: DOWN } });
    const { data, response } = await openai.responses.create({ model: 'gpt-4o', input: 'failover please' }).withResponse();
    expect(response.headers.get('x-bulwark-served-by')).toBe('secondary-gpt');
    expect(response.headers.get('x-bulwark-fallback-depth')).toBe('1');
    expect(data.output_text).toContain('via secondary');
    const streamed = await openai.responses.stream({ model: 'gpt-4o', input: 'echo: streamed failover' }).finalResponse();
    expect(streamed.output_text).toBe('streamed failover');
    expect(mock.stats().byDeployment.secondary.byStatus['200']).toBe(2);
  });

  it('a follow-up, GET and DELETE stay on the deployment that stores the response; a clear 503 when it is down', async () => {
    const first = await openai.responses.create({ model: 'gpt-4o', input: 'remember this' });
    const followUp = await openai.responses.create({ model: 'gpt-4o', previous_response_id: first.id, input: 'and now?' });
    expect(followUp.previous_response_id).toBe(first.id);
    expect(await openai.responses.retrieve(first.id)).toEqual(first);
    expect(recorder.to(`/v1/responses/${first.id}`)[0].path).toBe(`/deployments/primary/v1/responses/${first.id}`);

    mock.patchProfile({ deployments: { primary: DOWN } });
    const refused = await openai.responses.create({ model: 'gpt-4o', previous_response_id: first.id, input: 'still there?' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((refused as Error).message).toContain(`Response ${first.id} is stored on deployment primary-gpt`);
    expect(mock.stats().byDeployment.secondary).toBeUndefined();
    const stale = await openai.responses.retrieve(first.id).catch((e: unknown) => e);
    expect(stale).toEqual(first); // a read may be served from the last good copy (stale-if-error)

    mock.patchProfile({ deployments: { primary: null } });
    await openai.responses.delete(first.id);
    await expect(openai.responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const unknown = await openai.responses.retrieve('resp_never_seen').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as Error).message).toContain('not known to this gateway');
  });
});

describe('POST /v1/embeddings', () => {
  it('passes through (base64, the SDK default, and float), fails over between embedding groups, and is cached', async () => {
    const { data, response } = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 64 }).withResponse();
    expect(response.headers.get('x-bulwark-served-by')).toBe('primary-emb');
    expect(data.data[1].embedding).toHaveLength(64);
    await passedThrough('/v1/embeddings');

    const again = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 64 }).withResponse();
    expect(again.response.headers.get('x-bulwark-served-by')).toBe('cache');
    expect(again.data).toEqual(data);
    expect(recorder.to('/v1/embeddings')).toHaveLength(1);

    mock.patchProfile({ deployments: { primary: DOWN } });
    const failover = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'gamma', encoding_format: 'float' }).withResponse();
    expect(failover.response.headers.get('x-bulwark-served-by')).toBe('secondary-emb');
    expect(failover.response.headers.get('x-bulwark-fallback-depth')).toBe('1');
    expect(failover.data.data[0].embedding).toHaveLength(1536);
  });
});

describe('POST /v1/completions, GET /v1/models/{id}', () => {
  it('legacy completions pass through, streamed and not', async () => {
    const done = await openai.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', max_tokens: 5, logprobs: 2 });
    expect(done.choices[0].text).toContain('via primary');
    await passedThrough('/v1/completions');
    recorder.calls.length = 0;
    const stream = await openai.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'echo: legacy stream', stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('legacy stream');
    await passedThrough('/v1/completions');
  });

  it('models.retrieve answers for a route, 404 model_not_found otherwise, in both SDKs', async () => {
    expect(await openai.models.retrieve('gpt-4o')).toMatchObject({ id: 'gpt-4o', object: 'model', owned_by: 'bulwark' });
    const missing = await openai.models.retrieve('no-such-route').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect(await anthropic.models.retrieve('claude-sonnet-4-6')).toMatchObject({ type: 'model', id: 'claude-sonnet-4-6' });
    await expect(anthropic.models.retrieve('no-such-route')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});

describe('POST /v1/messages/count_tokens and unsupported endpoints', () => {
  it('countTokens passes through with its headers, and counts what messages bills', async () => {
    const body = { model: 'claude-sonnet-4-6', system: 'terse', messages: [{ role: 'user' as const, content: 'count me' }] };
    const counted = await anthropic.messages.countTokens(body, { headers: { 'anthropic-beta': 'token-counting-2024-11-01' } });
    const call = await passedThrough('/v1/messages/count_tokens');
    expect(call.headers['anthropic-beta']).toBe('token-counting-2024-11-01');
    expect(call.headers['x-api-key']).toBe('sk-ant-upstream-primary');
    const message = await anthropic.messages.create({ ...body, max_tokens: 32 });
    expect(counted.input_tokens).toBe(message.usage.input_tokens);
  });

  it('an endpoint the gateway does not serve is a 404 in the API\'s own format, saying so', async () => {
    const images = await fetch(`${gateway.url}/v1/images/generations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(images.status).toBe(404);
    expect((await images.json()).error.message).toContain('does not support');
    const batches = await fetch(`${gateway.url}/v1/messages/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(batches.status).toBe(404);
    expect(await batches.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const items = await fetch(`${gateway.url}/v1/responses/resp_1/input_items`);
    expect(items.status).toBe(404);
  });

  it('a Responses request to a route with only Anthropic deployments is a 400 naming why', async () => {
    const refused = await openai.responses.create({ model: 'claude-sonnet-4-6', input: 'hi' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as Error).message).toContain('answered only by deployments of the same API');
    expect(recorder.calls).toHaveLength(0);
  });
});

describe('stored Responses across replicas', () => {
  it('two gateways sharing Redis both know where a response is stored', async () => {
    const prefix = uniquePrefix('responses');
    const yaml = `${passThroughConfig(recorder.url)}\nstate: { redis: { url: "${TEST_REDIS_URL}", keyPrefix: "${prefix}" } }\n`;
    const [a, b] = await Promise.all([startTestGateway(yaml, { env: RECORDER_ENV }), startTestGateway(yaml, { env: RECORDER_ENV })]);
    try {
      const viaA = new OpenAI({ baseURL: `${a.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const viaB = new OpenAI({ baseURL: `${b.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const first = await viaA.responses.create({ model: 'gpt-4o', input: 'made through replica A' });
      expect((await viaB.responses.retrieve(first.id)).id).toBe(first.id);
      mock.patchProfile({ deployments: { primary: DOWN } });
      const refused = await viaB.responses.create({ model: 'gpt-4o', previous_response_id: first.id, input: 'continued through B' }).catch((e: unknown) => e);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((refused as Error).message).toContain('stored on deployment primary-gpt');
      expect(mock.stats().byDeployment.secondary).toBeUndefined();
    } finally {
      await Promise.all([a.shutdown(1000), b.shutdown(1000)]);
      await deleteKeys(prefix);
    }
  });
});
