/**
 * Across APIs nothing is lost silently: a field the other API cannot carry makes the route skip
 * that deployment (capability-aware routing), is answered 400 naming the field when no
 * deployment can carry it, or — with `onUnsupported: drop` — is left out and named in
 * `x-bulwark-dropped`. Over real sockets, with recording upstreams.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway } from './helpers.js';
import { RecordingUpstream } from './recording-upstream.js';

const OPENAI_ANSWER = { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'from openai' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } };
const ANTHROPIC_ANSWER = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'from anthropic' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 5, output_tokens: 2 } };

describe('capability-aware routing across APIs', () => {
  let openai: RecordingUpstream;
  let anthropic: RecordingUpstream;
  let gateway: Gateway;

  beforeAll(async () => {
    openai = await RecordingUpstream.start();
    anthropic = await RecordingUpstream.start();
    openai.answers({ body: JSON.stringify(OPENAI_ANSWER) });
    anthropic.answers({ body: JSON.stringify(ANTHROPIC_ANSWER) });
    gateway = await startTestGateway(`
server: { port: 0 }
logging: { level: warn }
providers:
  oa: { type: openai, baseUrl: ${openai.url}/v1, apiKey: "\${OA_KEY}" }
  an: { type: anthropic, baseUrl: ${anthropic.url}, apiKey: "\${AN_KEY}" }
modelGroups:
  claude: { deployments: [ { id: claude-1, provider: an, model: claude-x } ] }
  gpt: { deployments: [ { id: gpt-1, provider: oa, model: gpt-4o } ] }
routes:
  - { name: claude-first, chain: [claude, gpt] }
  - { name: claude-only, chain: [claude] }
  - { name: claude-drop, chain: [claude], onUnsupported: drop }
  - { name: gpt-only, chain: [gpt] }
policies:
  retry: { maxAttempts: 1 }
`, { env: { OA_KEY: 'sk-oa', AN_KEY: 'sk-an' } });
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await openai.close();
    await anthropic.close();
  });
  beforeEach(() => {
    openai.requests.length = 0;
    anthropic.requests.length = 0;
  });

  const chat = (body: unknown) =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const messages = (body: unknown) =>
    fetch(`${gateway.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });

  it('skips the step whose API cannot carry a field (logprobs) and answers from the next', async () => {
    const res = await chat({ model: 'claude-first', logprobs: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-bulwark-served-by')).toBe('gpt-1');
    expect(res.headers.get('x-bulwark-fallback-depth')).toBe('1');
    expect(anthropic.requests).toHaveLength(0);
    expect(openai.requests[0].json).toMatchObject({ logprobs: true });
  });

  it('answers 400 naming the field when no deployment can carry it — nothing is sent', async () => {
    const res = await chat({ model: 'claude-only', n: 2, logit_bias: { '1': 5 }, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; param: string | null; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain("'n'");
    expect(body.error.message).toContain("'logit_bias'");
    expect(body.error.param).toBe('n');
    expect(anthropic.requests).toHaveLength(0);
  });

  it('names nested fields and fields no dialect knows', async () => {
    const res = await chat({
      model: 'claude-only',
      messages: [{ role: 'user', name: 'bob', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
      a_field_from_next_month: true,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    for (const field of ['messages[0].name', 'messages[0].content[0]', 'a_field_from_next_month']) expect(error.message).toContain(`'${field}'`);
  });

  it("with onUnsupported: drop, sends the request without them and lists them in x-bulwark-dropped", async () => {
    const res = await chat({ model: 'claude-drop', logprobs: true, top_logprobs: 3, seed: 7, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-bulwark-dropped')).toBe('logprobs, top_logprobs, seed');
    const sent = anthropic.requests[0].json!;
    expect(sent).not.toHaveProperty('logprobs');
    expect(sent).not.toHaveProperty('seed');
    expect(((await res.json()) as typeof OPENAI_ANSWER).choices[0].message.content).toBe('from anthropic');
  });

  it('streams: a field the only deployment cannot carry is a 400 before any byte', async () => {
    const res = await chat({ model: 'claude-only', stream: true, presence_penalty: 1, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('presence_penalty');
  });

  it('the other way: Anthropic top_k and server tools are refused by an OpenAI deployment, by name', async () => {
    const res = await messages({
      model: 'gpt-only', max_tokens: 10, top_k: 5,
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 1 }],
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain("'top_k'");
    expect(body.error.message).toContain("'tools[0]'");
    expect(openai.requests).toHaveLength(0);
  });

  it('what both APIs carry is translated (a same-API field set passes to the other API)', async () => {
    const res = await messages({
      model: 'gpt-only', max_tokens: 50, temperature: 0.5, stop_sequences: ['END'],
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      metadata: { user_id: 'u-1' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
    expect(res.status).toBe(200);
    expect(openai.requests[0].json).toMatchObject({
      model: 'gpt-4o', max_tokens: 50, temperature: 0.5, stop: ['END'], user: 'u-1',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
    expect(((await res.json()) as typeof ANTHROPIC_ANSWER).content).toEqual([{ type: 'text', text: 'from openai' }]);
  });
});
