/**
 * Upstream response headers handed back by the allow-lists (request ids, rate-limit headers) pass
 * the same redactor as bodies: an upstream that echoes its key in a header — in a plain answer, a
 * stream, or a 4xx refusal — hands the client a mask of the same length. Canary keys, real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { maskFor } from '../../src/gateway/secrets/secret-redactor.js';
import { startTestGateway } from './helpers.js';
import { RecordingUpstream } from './recording-upstream.js';

const OPENAI_CANARY = 'sk-canary-header-openai-91c2e7';
const ANTHROPIC_CANARY = 'sk-ant-canary-header-4f0b1d';

const ANSWER = { id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] };
const MESSAGE = { id: 'msg', type: 'message', role: 'assistant', model: 'claude', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
const STREAM = [
  'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n',
  'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
  'data: [DONE]\n\n',
];

describe('forwarded upstream headers are redacted', () => {
  let openai: RecordingUpstream;
  let anthropic: RecordingUpstream;
  let gateway: Gateway;

  beforeAll(async () => {
    openai = await RecordingUpstream.start();
    anthropic = await RecordingUpstream.start();
    gateway = await startTestGateway(`
server: { port: 0 }
logging: { level: warn }
providers:
  oai: { type: openai, baseUrl: ${openai.url}/v1, apiKey: "\${OPENAI_KEY}" }
  ant: { type: anthropic, baseUrl: ${anthropic.url}, apiKey: "\${ANTHROPIC_KEY}" }
modelGroups:
  gpt: { deployments: [ { id: gpt-1, provider: oai, model: gpt-4o } ] }
  claude: { deployments: [ { id: claude-1, provider: ant, model: claude-sonnet-4-5 } ] }
routes:
  - { name: gpt-4, chain: [gpt] }
  - { name: claude, chain: [claude] }
policies:
  retry: { maxAttempts: 1 }
`, { env: { OPENAI_KEY: OPENAI_CANARY, ANTHROPIC_KEY: ANTHROPIC_CANARY } });
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await openai.close();
    await anthropic.close();
  });

  const post = (path: string, body: object) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });

  const everyHeader = (res: Response): string => {
    const lines: string[] = [];
    res.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
    return lines.join('\n');
  };

  it('OpenAI answer: the request id and a rate-limit header that echo the key come back masked', async () => {
    openai.answers({ headers: { 'x-request-id': `req_${OPENAI_CANARY}`, 'x-ratelimit-remaining-tokens': OPENAI_CANARY }, body: JSON.stringify(ANSWER) });
    const res = await post('/v1/chat/completions', { model: 'gpt-4', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(200);
    await res.text();
    expect(everyHeader(res)).not.toContain(OPENAI_CANARY);
    expect(res.headers.get('x-upstream-request-id')).toBe(`req_${maskFor(OPENAI_CANARY.length)}`);
    expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe(maskFor(OPENAI_CANARY.length));
  });

  it('OpenAI stream: headers handed back with the stream are masked', async () => {
    openai.answers({ headers: { 'x-request-id': OPENAI_CANARY }, chunks: STREAM });
    const res = await post('/v1/chat/completions', { model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('[DONE]');
    expect(everyHeader(res)).not.toContain(OPENAI_CANARY);
    expect(res.headers.get('x-upstream-request-id')).toBe(maskFor(OPENAI_CANARY.length));
  });

  it('Anthropic 4xx refusal: its headers are passed back masked, with its body', async () => {
    anthropic.answers({
      status: 400,
      headers: { 'request-id': `req_${ANTHROPIC_CANARY}`, 'anthropic-ratelimit-requests-remaining': ANTHROPIC_CANARY },
      body: JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }),
    });
    const res = await post('/v1/messages', { model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(400);
    await res.text();
    expect(everyHeader(res)).not.toContain(ANTHROPIC_CANARY);
    expect(res.headers.get('x-upstream-request-id')).toBe(`req_${maskFor(ANTHROPIC_CANARY.length)}`);
  });

  it('Anthropic answer: masked too', async () => {
    anthropic.answers({ headers: { 'request-id': ANTHROPIC_CANARY }, body: JSON.stringify(MESSAGE) });
    const res = await post('/v1/messages', { model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(200);
    await res.text();
    expect(everyHeader(res)).not.toContain(ANTHROPIC_CANARY);
  });
});
