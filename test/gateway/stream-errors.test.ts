import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway, testConfigYaml } from './helpers.js';

// A stream that breaks after chunks reached the client must end with the dialect's error event,
// never look like a complete answer.
describe('gateway: a stream interrupted mid-way', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway(testConfigYaml().replace(/defaultResponse: "Sorry, try again later." \}/g, 'defaultResponse: "Sorry", streamFailover: error }'));
    gateway.mock('m')!.setProfile({ default: { streamCut: { afterChunks: 3, probability: 1 } } });
  });
  afterAll(() => gateway.shutdown(1000));

  it('ends an OpenAI stream with a data: {"error":...} chunk and no [DONE]', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'cut me' }] }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"delta"');
    const last = text.trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, ''))).toMatchObject({ error: { type: expect.any(String), message: expect.any(String) } });
    expect(text).not.toContain('[DONE]');
  });

  it('makes the openai SDK throw instead of returning a truncated answer', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'cut me again' }] });
    await expect((async () => {
      for await (const _chunk of stream) { /* consume */ }
    })()).rejects.toThrow();
  });

  it('ends an Anthropic stream with event: error, and the SDK throws', async () => {
    const raw = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet', max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'cut' }] }),
    });
    const text = await raw.text();
    expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+","message":/);
    expect(text).not.toContain('event: message_stop');

    const client = new Anthropic({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.messages.create({ model: 'claude-sonnet', max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'cut again' }] });
    await expect((async () => {
      for await (const _event of stream) { /* consume */ }
    })()).rejects.toThrow();
  });
});
