/**
 * Same-API pass-through, OpenAI Chat Completions, over real sockets with the official `openai`
 * SDK: the gateway sends the client's body upstream as it came (only `model` replaced), every
 * field known today or not, and hands the provider's answer back as it was sent.
 */
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway } from './helpers.js';
import { RecordingUpstream } from './recording-upstream.js';

const GATEWAY_KEY = 'bk-client-key-0123456789';
const PRIMARY_KEY = 'sk-primary-deployment-key';
const SECONDARY_KEY = 'sk-secondary-deployment-key';

function config(primary: string, secondary: string): string {
  return `
server: { port: 0 }
logging: { level: warn }
auth:
  keys: [ { tenant: acme, sha256: ${createHash('sha256').update(GATEWAY_KEY).digest('hex')} } ]
providers:
  primary: { type: openai, baseUrl: ${primary}/v1, apiKey: "\${PRIMARY_KEY}" }
  secondary: { type: openai, baseUrl: ${secondary}/v1, apiKey: "\${SECONDARY_KEY}" }
modelGroups:
  main: { deployments: [ { id: primary-4o, provider: primary, model: gpt-4o-2024-08-06 } ] }
  backup: { deployments: [ { id: secondary-4o, provider: secondary, model: gpt-4o-mini } ] }
routes:
  - { name: gpt-4, chain: [main, backup] }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: 1000 }
`;
}

/** A real-looking answer with every detail a client may read (two choices, logprobs, usage details, fields added later). */
const ANSWER = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1_733_000_000,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Paris.', refusal: null, annotations: [] },
      logprobs: { content: [{ token: 'Paris', logprob: -0.0001, bytes: [80, 97, 114, 105, 115], top_logprobs: [{ token: 'Paris', logprob: -0.0001, bytes: [80, 97, 114, 105, 115] }, { token: 'paris', logprob: -9.2, bytes: [112, 97, 114, 105, 115] }] }], refusal: null },
      finish_reason: 'stop',
    },
    {
      index: 1,
      message: { role: 'assistant', content: null, refusal: 'I cannot help with that.', annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 1234, completion_tokens: 5, total_tokens: 1239,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_50cad350e4',
  a_field_added_next_month: { kept: true },
};

/** Every field the issue found dropped, plus one no SDK knows yet. */
const REQUEST = {
  model: 'gpt-4',
  messages: [
    { role: 'developer', content: 'Answer briefly.' },
    { role: 'user', name: 'alice', content: [{ type: 'text', text: 'Capital of France?' }, { type: 'image_url', image_url: { url: 'https://example.com/eiffel.png', detail: 'high' } }] },
  ],
  n: 2,
  logprobs: true,
  top_logprobs: 2,
  frequency_penalty: 0.5,
  presence_penalty: -0.25,
  logit_bias: { '50256': -100 },
  parallel_tool_calls: false,
  tools: [{ type: 'function', function: { name: 'lookup', description: 'Look up', strict: true, parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false } } }],
  reasoning_effort: 'low',
  metadata: { ticket: 'T-1' },
  store: true,
  prediction: { type: 'content', content: 'Paris.' },
  verbosity: 'low',
  prompt_cache_key: 'france-v1',
  safety_identifier: 'user-7',
  seed: 9007199254740991,
  a_param_added_next_month: [1, { nested: 'yes' }],
};

describe('OpenAI client → OpenAI deployment: pass-through', () => {
  let primary: RecordingUpstream;
  let secondary: RecordingUpstream;
  let gateway: Gateway;
  const sent: string[] = [];
  let client: OpenAI;

  beforeAll(async () => {
    primary = await RecordingUpstream.start();
    secondary = await RecordingUpstream.start();
    gateway = await startTestGateway(config(primary.url, secondary.url), { env: { PRIMARY_KEY, SECONDARY_KEY } });
    client = new OpenAI({
      apiKey: GATEWAY_KEY,
      baseURL: `${gateway.url}/v1`,
      organization: 'org-acme',
      project: 'proj-1',
      maxRetries: 0,
      // Keeps the exact bytes the SDK sent, to compare with what the provider received.
      fetch: async (url, init) => {
        if (typeof init?.body === 'string') sent.push(init.body);
        return fetch(url, init);
      },
    });
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await primary.close();
    await secondary.close();
  });
  beforeEach(() => {
    primary.requests.length = 0;
    secondary.requests.length = 0;
    sent.length = 0;
  });

  it('chat with logprobs and n: 2: the provider receives the client body byte for byte (model replaced), the client the provider answer field for field', async () => {
    primary.answers({
      body: JSON.stringify(ANSWER),
      headers: { 'x-request-id': 'req_upstream_1', 'openai-processing-ms': '321', 'x-ratelimit-remaining-requests': '4999', 'x-ratelimit-remaining-tokens': '79000' },
    });
    const { data, response } = await client.chat.completions.create(REQUEST as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();

    expect(primary.requests).toHaveLength(1);
    const upstream = primary.requests[0];
    // Byte for byte: the client's body with only the model name changed (a 16-digit seed keeps every digit).
    expect(upstream.raw.toString('utf8')).toBe(sent[0].replace('"model":"gpt-4"', '"model":"gpt-4o-2024-08-06"'));
    expect(upstream.json).toEqual({ ...JSON.parse(sent[0]), model: 'gpt-4o-2024-08-06' });
    expect(upstream.path).toBe('/v1/chat/completions');
    // The deployment's key, never the client's; the client's organization and project pass.
    expect(upstream.headers.authorization).toBe(`Bearer ${PRIMARY_KEY}`);
    expect(JSON.stringify(upstream.headers)).not.toContain(GATEWAY_KEY);
    expect(upstream.headers['openai-organization']).toBe('org-acme');
    expect(upstream.headers['openai-project']).toBe('proj-1');

    // The answer as the provider sent it: both choices, logprobs, the refusal, usage details, unknown fields.
    expect(JSON.parse(JSON.stringify(data))).toEqual(ANSWER);
    expect(response.headers.get('x-upstream-request-id')).toBe('req_upstream_1');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('4999');
    expect(response.headers.get('openai-processing-ms')).toBe('321');
    expect(response.headers.get('x-bulwark-served-by')).toBe('primary-4o');
  });

  it('hands the answer back byte for byte (raw HTTP)', async () => {
    const text = `{ "id":"chatcmpl-x",  "object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"\\u00e9t\\u00e9"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n`;
    primary.answers({ body: text });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
      body: '{"model":"gpt-4","messages":[{"role":"user","content":"hi"}]}',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(text);
    expect(primary.requests[0].raw.toString()).toBe('{"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"hi"}]}');
  });

  it('streams with logprobs: every event the provider sent reaches the client as it was sent', async () => {
    const events = [
      `data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":{"content":[],"refusal":null},"finish_reason":null}]}\n\n`,
      `data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Par"},"logprobs":{"content":[{"token":"Par","logprob":-0.01,"bytes":[80,97,114],"top_logprobs":[]}],"refusal":null},"finish_reason":null}],"obfuscation":"aB3"}\n\n`,
      `data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":1,"delta":{"content":"is"},"logprobs":null,"finish_reason":null}]}\n\n`,
      `data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`,
      `data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}\n\n`,
      'data: [DONE]\n\n',
    ];
    // Split mid-event, as TCP does: the relay must still pass whole events only.
    const wire = events.join('');
    primary.answers({ chunks: [wire.slice(0, 100), wire.slice(100, 333), wire.slice(333)] });
    const body = JSON.stringify({ model: 'gpt-4', stream: true, stream_options: { include_usage: true }, logprobs: true, n: 2, messages: [{ role: 'user', content: 'Capital?' }] });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` }, body,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(await res.text()).toBe(wire);
    expect(primary.requests[0].raw.toString()).toBe(body.replace('"model":"gpt-4"', '"model":"gpt-4o-2024-08-06"'));
  });

  it('a stream without include_usage: usage is asked for upstream (documented) and its chunk observed, not relayed', async () => {
    const usageChunk = 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}\n\n';
    const content = 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\n' +
      'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n';
    primary.answers({ chunks: [content, usageChunk, 'data: [DONE]\n\n'] });
    const stream = await client.chat.completions.create({ model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const chunks: unknown[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(2);
    expect(primary.requests[0].json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('a 1.5 MB image fails over primary → secondary; the secondary receives the same bytes', async () => {
    primary.answers({ status: 503, body: '{"error":{"message":"overloaded","type":"server_error"}}' });
    secondary.answers({ body: JSON.stringify({ ...ANSWER, model: 'gpt-4o-mini' }) });
    const image = Buffer.alloc(1_100_000, 7).toString('base64'); // ~1.5 MB of base64
    const body = JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${image}`, detail: 'low' } }] }] });
    expect(body.length).toBeGreaterThan(1_400_000);
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` }, body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-bulwark-served-by')).toBe('secondary-4o');
    expect(res.headers.get('x-bulwark-fallback-depth')).toBe('1');
    expect(await res.json()).toEqual({ ...ANSWER, model: 'gpt-4o-mini' });
    expect(primary.requests[0].raw.toString()).toBe(body.replace('"model":"gpt-4"', '"model":"gpt-4o-2024-08-06"'));
    expect(secondary.requests[0].raw.toString()).toBe(body.replace('"model":"gpt-4"', '"model":"gpt-4o-mini"'));
    expect(secondary.requests[0].headers.authorization).toBe(`Bearer ${SECONDARY_KEY}`);
  });

  it('takes a body up to the 32 MiB default limit (a 5 MB photo is no longer a 413)', async () => {
    primary.answers({ body: JSON.stringify(ANSWER) });
    const photo = Buffer.alloc(3_800_000, 1).toString('base64');
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
      body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${photo}` } }] }] }),
    });
    expect(res.status).toBe(200);
    expect(primary.requests[0].raw.length).toBeGreaterThan(5_000_000);
  });
});
