/**
 * A same-API stream that breaks mid-way and is continued on another deployment, over real
 * sockets (the mock provider cuts the primary's stream after a few events), with the official
 * SDKs: the client sees one coherent stream — one start, no repeated text, one end, the same
 * message id throughout — and is told, in the stream itself, that the rest came from another
 * deployment (an SSE comment every SDK skips: the headers, sent at the first token, still name
 * the primary). The continuing deployment got the partial answer to finish.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { setFaults, startTestGateway, testConfigYaml } from './helpers.js';

/** The test gateway's mock topology, with the secondaries able to continue a broken stream. */
const CONFIG = testConfigYaml()
  .replace('model: gpt-4o-mini }', 'model: gpt-4o-mini, canContinue: true }')
  .replace('model: claude-haiku-4-5 }', 'model: claude-haiku-4-5, canContinue: true }');

const SENTENCE = 'The quick brown fox jumps over the lazy dog';

/** Reads a stream's raw SSE text and its headers through `fetch` (what every SDK parses). */
async function raw(gateway: Gateway, path: string, body: object): Promise<{ text: string; headers: Headers }> {
  const res = await fetch(`${gateway.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return { text: await res.text(), headers: res.headers };
}

describe('a same-API stream cut mid-way, continued on another deployment', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startTestGateway(CONFIG);
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
  });
  beforeEach(() => {
    // The primary sends 4 events, then its connection is destroyed (no terminal event).
    setFaults(gateway, { primary: { streamCut: { afterChunks: 4 } }, secondary: {} });
    gateway.mock('m')!.resetStats();
  });

  it('the config continues streams (streamFailover defaults to continue)', () => {
    expect(CONFIG.match(/canContinue: true/g)).toHaveLength(2);
  });

  it('OpenAI chat: one coherent stream for the SDK; the continuation is said in the stream', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: `echo: ${SENTENCE}` }] });
    const ids = new Set<string>();
    let text = '';
    let finishes = 0;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes++;
    }
    expect(ids.size).toBe(1);
    expect(finishes).toBe(1);
    expect(text.startsWith('The quick brown')).toBe(true);
    expect(text.slice('The quick brown'.length)).toMatch(/^ ?mock answer from gpt-4o-mini via secondary: [0-9a-f]{8}$/);
    const stats = gateway.mock('m')!.stats().byDeployment;
    expect(stats.primary.requests).toBe(1);
    expect(stats.secondary.requests).toBe(1);

    const { text: sse, headers } = await raw(gateway, '/v1/chat/completions', { model: 'gpt-4', stream: true, messages: [{ role: 'user', content: `echo: ${SENTENCE}` }] });
    expect(headers.get('x-bulwark-served-by')).toBe('primary-gpt4'); // sent at the first token
    const events = sse.split('\n\n').filter((e) => e !== '');
    const marker = events.findIndex((e) => e.startsWith(':'));
    expect(events[marker]).toBe(': bulwark: the stream broke; continued by deployment secondary-gpt35 (degraded)');
    expect(marker).toBeGreaterThan(1); // after the primary's first events, before the continuation's
    expect(events.slice(0, marker).join('')).not.toContain('finish_reason":"stop');
    expect(events.filter((e) => e === 'data: [DONE]')).toHaveLength(1);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(events.filter((e) => e.includes('"role":"assistant"'))).toHaveLength(1);
  });

  it('Anthropic messages: one message_start, block indices continue, one message_stop; said in the stream', async () => {
    const client = new Anthropic({ apiKey: 'unused', baseURL: gateway.url, maxRetries: 0 });
    const message = await client.messages.stream({ model: 'claude-sonnet', max_tokens: 200, messages: [{ role: 'user', content: `echo: ${SENTENCE}` }] }).finalMessage();
    expect(message.content).toHaveLength(1);
    const block = message.content[0] as { type: string; text: string };
    expect(block.type).toBe('text');
    // The secondary finished the primary's partial text (an assistant prefill): no gap, no repetition.
    expect(block.text).toBe(SENTENCE);

    const { text: sse, headers } = await raw(gateway, '/v1/messages', { model: 'claude-sonnet', max_tokens: 200, stream: true, messages: [{ role: 'user', content: `echo: ${SENTENCE}` }] });
    expect(headers.get('x-bulwark-served-by')).toBe('primary-sonnet');
    const events = sse.split('\n\n').filter((e) => e !== '');
    const names = events.map((e) => /^event: (\S+)/.exec(e)?.[1] ?? e.slice(0, 60));
    expect(names.filter((n) => n === 'message_start')).toHaveLength(1);
    expect(names.filter((n) => n === 'message_stop')).toHaveLength(1);
    expect(names.at(-1)).toBe('message_stop');
    expect(names.filter((n) => n === 'content_block_start')).toHaveLength(1);
    expect(names.filter((n) => n === 'content_block_stop')).toHaveLength(1);
    expect(events.find((e) => e.startsWith(':'))).toBe(': bulwark: the stream broke; continued by deployment secondary-haiku (degraded)');
    const stats = gateway.mock('m')!.stats().byDeployment;
    expect(stats.primary.requests).toBe(2);
    expect(stats.secondary.requests).toBe(2);
  });
});
