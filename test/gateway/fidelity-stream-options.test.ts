/**
 * `stream_options` over real sockets. The gateway asks for a stream's usage chunk on the client's
 * behalf only where the API reports usage only if asked (Chat Completions, legacy completions:
 * the dialect's `usageChunk`), never elsewhere (Responses), and never to an OpenAI-compatible
 * preset that refuses the field (Mistral: its usage comes in its last chunk unasked). A client's
 * own `stream_options` bound for such a preset is refused for that deployment, or with
 * `onUnsupported: drop` left out and named in `x-bulwark-dropped` — never lost silently.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildReply, type MockTurn } from '../../src/chaos/mock/answer.js';
import { MockState } from '../../src/chaos/mock/mock-state.js';
import { openaiResponsesWire } from '../../src/chaos/mock/openai-responses-wire.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway } from './helpers.js';
import { RecordingUpstream } from './recording-upstream.js';

const chunk = (body: object) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'mistral-small', ...body })}\n\n`;
/** A Mistral stream: usage rides in the last chunk, with its choices, unasked. */
const MISTRAL_STREAM = [
  chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Bonjour' }, finish_reason: null }] }),
  chunk({ choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop' }], usage: { prompt_tokens: 11, total_tokens: 14, completion_tokens: 3 } }),
  'data: [DONE]\n\n',
];
const OPENAI_STREAM = [
  chunk({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] }),
  chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
  chunk({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }),
  'data: [DONE]\n\n',
];

function responsesStream(): string {
  const state = new MockState();
  const turn = openaiResponsesWire.parse({ model: 'gpt-4o', stream: true, input: 'echo: one two' }, { deployment: 'a', state, models: [] }) as MockTurn;
  return openaiResponsesWire.streamEvents(turn, buildReply(turn, 'a', 'call_1'), { id: 'r1', created: 1_700_000_000 }).join('');
}

describe('stream_options', () => {
  let mistral: RecordingUpstream;
  let openai: RecordingUpstream;
  let gateway: Gateway;

  beforeAll(async () => {
    mistral = await RecordingUpstream.start();
    openai = await RecordingUpstream.start();
    gateway = await startTestGateway(`
server: { port: 0 }
logging: { level: warn }
providers:
  mistral: { type: openai, preset: mistral, baseUrl: ${mistral.url}/v1, apiKey: "\${MISTRAL_KEY}" }
  oai: { type: openai, baseUrl: ${openai.url}/v1, apiKey: "\${OPENAI_KEY}" }
modelGroups:
  mistral: { deployments: [ { id: mistral-1, provider: mistral, model: mistral-small-latest } ] }
  gpt: { deployments: [ { id: gpt-1, provider: oai, model: gpt-4o } ] }
routes:
  - { name: small, chain: [mistral, gpt] }
  - { name: small-drop, chain: [mistral], onUnsupported: drop }
  - { name: claude-small, chain: [mistral] }
  - { name: gpt-4o, chain: [gpt] }
policies:
  retry: { maxAttempts: 1 }
`, { env: { MISTRAL_KEY: 'sk-mistral-test-key', OPENAI_KEY: 'sk-openai-test-key' } });
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await mistral.close();
    await openai.close();
  });
  beforeEach(() => {
    mistral.requests.length = 0;
    openai.requests.length = 0;
    mistral.answers({ chunks: MISTRAL_STREAM });
    openai.answers({ chunks: OPENAI_STREAM });
  });

  const post = (path: string, body: object) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function tokens(route: string): Promise<string[]> {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    return text.split('\n').filter((line) => line.startsWith('bulwark_tokens_total') && line.includes(`route="${route}"`)).map((line) => line.replace(/,?tenant="[^"]*"/, ''));
  }

  it('OpenAI client → Mistral: no stream_options is added; its usage chunk reaches the client as sent and counts', async () => {
    const body = JSON.stringify({ model: 'small', stream: true, messages: [{ role: 'user', content: 'Salut' }] });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.headers.get('x-bulwark-served-by')).toBe('mistral-1');
    expect(await res.text()).toBe(MISTRAL_STREAM.join(''));
    expect(mistral.requests[0].raw.toString()).toBe(body.replace('"model":"small"', '"model":"mistral-small-latest"'));
    const counted = await tokens('small');
    expect(counted.some((line) => line.includes('gen_ai_token_type="input"') && line.endsWith(' 11'))).toBe(true);
    expect(counted.some((line) => line.includes('gen_ai_token_type="output"') && line.endsWith(' 3'))).toBe(true);
  });

  it('a client’s own stream_options skips Mistral (reject) and is served by the next deployment, untouched', async () => {
    const body = JSON.stringify({ model: 'small', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.headers.get('x-bulwark-served-by')).toBe('gpt-1');
    expect(await res.text()).toBe(OPENAI_STREAM.join(''));
    expect(mistral.requests).toHaveLength(0);
    expect(openai.requests[0].raw.toString()).toBe(body.replace('"model":"small"', '"model":"gpt-4o"'));
  });

  it('with onUnsupported: drop it is left out for Mistral and named in x-bulwark-dropped', async () => {
    const res = await post('/v1/chat/completions', { stream_options: { include_usage: true }, model: 'small-drop', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(res.headers.get('x-bulwark-dropped')).toBe('stream_options');
    expect(await res.text()).toBe(MISTRAL_STREAM.join(''));
    expect(mistral.requests[0].raw.toString()).toBe('{"model":"mistral-small-latest","stream":true,"messages":[{"role":"user","content":"x"}]}');
  });

  it('Anthropic client → Mistral: the translated request has no stream_options; usage from Mistral’s last chunk reaches the client', async () => {
    const client = new Anthropic({ apiKey: 'unused', baseURL: gateway.url, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'claude-small', max_tokens: 20, messages: [{ role: 'user', content: 'Salut' }] });
    const message = await stream.finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Bonjour' });
    expect(message.usage.output_tokens).toBe(3);
    expect(mistral.requests[0].json).toMatchObject({ stream: true });
    expect(mistral.requests[0].json).not.toHaveProperty('stream_options');
  });

  it('OpenAI → OpenAI chat stream without include_usage: asked for upstream, observed, not relayed', async () => {
    const res = await post('/v1/chat/completions', { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(await res.text()).toBe(OPENAI_STREAM[0] + OPENAI_STREAM[1] + OPENAI_STREAM[3]);
    expect(openai.requests[0].json).toMatchObject({ stream_options: { include_usage: true } });
    expect((await tokens('gpt-4o')).some((line) => line.includes('gen_ai_token_type="input"') && line.endsWith(' 5'))).toBe(true);
  });

  it('a Responses stream gets no stream_options: the upstream sees the client’s bytes', async () => {
    const events = responsesStream();
    openai.answers({ chunks: [events] });
    const body = JSON.stringify({ model: 'gpt-4o', stream: true, input: 'echo: one two' });
    const res = await fetch(`${gateway.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(await res.text()).toBe(events);
    expect(openai.requests[0].raw.toString()).toBe(body);
  });
});
