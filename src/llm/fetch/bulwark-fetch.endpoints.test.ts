/**
 * bulwarkFetch covers the endpoints beyond chat like the gateway does: Responses (streamed and
 * not, failover, follow-ups pinned to the deployment that stores the response), embeddings,
 * legacy completions and Anthropic count_tokens, with the official SDKs in-process.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../router/router.fixture.js';
import { bulwarkFetch } from './bulwark-fetch.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const DOWN = { errors: { '503': 1 } };
const openaiClient = (f: Fixture) => new OpenAI({ apiKey: 'unused', baseURL: 'http://bulwark.local/v1', fetch: bulwarkFetch(f.router), maxRetries: 0 });

describe('bulwarkFetch beyond chat', () => {
  it('Responses: fails over when stateless, streams, and keeps a follow-up on the deployment that stores the first answer', async () => {
    fx = await startFixture();
    const client = openaiClient(fx);
    fx.mock.patchProfile({ deployments: { primary: DOWN } });
    const { data, response } = await client.responses.create({ model: 'gpt-4', input: 'echo: over the wire' }).withResponse();
    expect(data.output_text).toBe('over the wire');
    expect(response.headers.get('x-bulwark-served-by')).toBe('secondary');
    const streamed = await client.responses.stream({ model: 'gpt-4', input: 'echo: streamed in-process' }).finalResponse();
    expect(streamed.output_text).toBe('streamed in-process');

    fx.mock.patchProfile({ deployments: { primary: null } });
    const first = await client.responses.create({ model: 'gpt-4', input: 'start a conversation' });
    fx.mock.patchProfile({ deployments: { primary: DOWN } });
    const refused = await client.responses.create({ model: 'gpt-4', previous_response_id: first.id, input: 'go on' }).catch((e: unknown) => e);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((refused as Error).message).toContain(`Response ${first.id} is stored on deployment primary`);
    fx.mock.patchProfile({ deployments: { primary: null } });
    const followUp = await client.responses.create({ model: 'gpt-4', previous_response_id: first.id, input: 'go on' });
    expect(followUp.previous_response_id).toBe(first.id);
  });

  it('embeddings and legacy completions pass through the router with failover', async () => {
    fx = await startFixture();
    fx.mock.patchProfile({ deployments: { primary: DOWN } });
    const client = openaiClient(fx);
    const { data, response } = await client.embeddings.create({ model: 'gpt-4', input: 'vector me', encoding_format: 'float' }).withResponse();
    expect(response.headers.get('x-bulwark-served-by')).toBe('secondary');
    expect(data.data[0].embedding).toHaveLength(1536);
    const completion = await client.completions.create({ model: 'gpt-4', prompt: 'echo: legacy' });
    expect(completion.choices[0].text).toBe('legacy');
  });

  it('Anthropic count_tokens goes to an Anthropic deployment', async () => {
    fx = await startFixture({ dialect: 'anthropic' });
    const client = new Anthropic({ apiKey: 'unused', baseURL: 'http://bulwark.local', fetch: bulwarkFetch(fx.router), maxRetries: 0 });
    const counted = await client.messages.countTokens({ model: 'gpt-4', messages: [{ role: 'user', content: 'count these words' }] });
    expect(counted).toEqual({ input_tokens: Math.ceil('count these words'.length / 4) });
    expect(fx.mock.stats().byEndpoint['messages.count_tokens']).toBe(1);
  });
});
