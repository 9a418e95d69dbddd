/**
 * Same-API pass-through, Anthropic Messages, over real sockets with the official
 * `@anthropic-ai/sdk`: thinking blocks and their signatures survive a tool-use round trip,
 * cache_control reaches the provider and cache usage comes back exactly, beta headers pass, a
 * PDF document goes up as it came, and streams are relayed event for event.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway } from './helpers.js';
import { RecordingUpstream } from './recording-upstream.js';

const DEPLOYMENT_KEY = 'sk-ant-deployment-key-0123';

function config(upstream: string): string {
  return `
server: { port: 0 }
logging: { level: warn }
providers:
  anthropic: { type: anthropic, baseUrl: ${upstream}, apiKey: "\${DEPLOYMENT_KEY}" }
modelGroups:
  sonnet: { deployments: [ { id: sonnet-1, provider: anthropic, model: claude-sonnet-4-5-20250929 } ] }
routes:
  - { name: claude, chain: [sonnet] }
policies:
  retry: { maxAttempts: 1 }
`;
}

const SIGNATURE = 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds1ibIVuB9tRnA0hFQxSL27BdWQbnFKH0Xw1gkqsJY8ITFzh8k8kLzuB9TSqbESoQ';

const TURN_1 = {
  id: 'msg_01ThinkTool', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'thinking', thinking: 'The user wants the weather; I should call the tool.', signature: SIGNATURE },
    { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: {} },
  ],
  stop_reason: 'tool_use', stop_sequence: null,
  usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 100, output_tokens: 40, service_tier: 'standard', cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } },
};

const TURN_2 = {
  id: 'msg_02Answer', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'It is sunny.', citations: null }],
  stop_reason: 'stop_sequence', stop_sequence: '###',
  usage: { input_tokens: 120, cache_creation_input_tokens: 2048, cache_read_input_tokens: 100, output_tokens: 6 },
  container: null,
};

const TOOLS = [{ name: 'get_weather', description: 'Weather now', input_schema: { type: 'object' as const, properties: {} }, cache_control: { type: 'ephemeral' as const } }];

describe('Anthropic client → Anthropic deployment: pass-through', () => {
  let upstream: RecordingUpstream;
  let gateway: Gateway;
  let client: Anthropic;
  const sent: string[] = [];
  const versions: string[] = [];

  beforeAll(async () => {
    upstream = await RecordingUpstream.start();
    gateway = await startTestGateway(config(upstream.url), { env: { DEPLOYMENT_KEY } });
    client = new Anthropic({
      apiKey: 'client-key-never-forwarded',
      baseURL: gateway.url,
      maxRetries: 0,
      fetch: async (url, init) => {
        if (typeof init?.body === 'string') sent.push(init.body);
        versions.push(new Headers(init?.headers).get('anthropic-version') ?? '');
        return fetch(url, init);
      },
    });
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await upstream.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
    sent.length = 0;
    versions.length = 0;
  });

  it('thinking round trip across a tool-use turn: signatures reach the provider unchanged; cache usage comes back exactly; the beta header passes', async () => {
    upstream.answers(
      { body: JSON.stringify(TURN_1), headers: { 'request-id': 'req_011', 'anthropic-ratelimit-tokens-remaining': '9000' } },
      { body: JSON.stringify(TURN_2) },
    );
    const params = {
      model: 'claude',
      max_tokens: 2048,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      top_k: 40,
      service_tier: 'auto' as const,
      tool_choice: { type: 'auto' as const, disable_parallel_tool_use: true },
      system: [{ type: 'text' as const, text: 'You are terse.', cache_control: { type: 'ephemeral' as const } }],
      tools: TOOLS,
      stop_sequences: ['###'],
      messages: [{ role: 'user' as const, content: 'Weather?' }],
    };
    const first = await client.messages.create(params, { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } }).withResponse();
    expect(JSON.parse(JSON.stringify(first.data))).toEqual(TURN_1);
    expect(first.response.headers.get('x-upstream-request-id')).toBe('req_011');
    expect(first.response.headers.get('anthropic-ratelimit-tokens-remaining')).toBe('9000');

    const second = await client.messages.create({
      ...params,
      messages: [
        ...params.messages,
        { role: 'assistant', content: first.data.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: [{ type: 'text', text: 'sunny' }] }] },
      ],
    }, { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } });
    // The answer as sent: a stop sequence stays a stop sequence, cache tokens are not folded into input.
    expect(JSON.parse(JSON.stringify(second))).toEqual(TURN_2);
    expect(second.usage.input_tokens).toBe(120);
    expect(second.usage.cache_creation_input_tokens).toBe(2048);

    expect(upstream.requests).toHaveLength(2);
    for (const [i, request] of upstream.requests.entries()) {
      expect(request.path).toBe('/v1/messages');
      expect(request.raw.toString()).toBe(sent[i].replace('"model":"claude"', '"model":"claude-sonnet-4-5-20250929"'));
      expect(request.headers['x-api-key']).toBe(DEPLOYMENT_KEY);
      expect(request.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
      // The API version the client wrote its body for, not the provider's default.
      expect(request.headers['anthropic-version']).toBe(versions[i]);
      expect(versions[i]).not.toBe('');
    }
    const history = (upstream.requests[1].json!.messages as Array<{ content: unknown }>)[1].content;
    expect(history).toEqual(TURN_1.content);
  });

  it('sends a PDF document block as it came', async () => {
    upstream.answers({ body: JSON.stringify(TURN_2) });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n').toString('base64');
    await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      messages: [{
        role: 'user',
        content: [
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf }, title: 'Report', citations: { enabled: true }, cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Summarize.' },
        ],
      }],
    });
    expect(upstream.requests[0].raw.toString()).toBe(sent[0].replace('"model":"claude"', '"model":"claude-sonnet-4-5-20250929"'));
  });

  it('streams thinking with its signature, a tool call with no arguments, and cache usage: every event as the provider sent it', async () => {
    const events = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":3000,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}\n\n',
      'event: ping\ndata: {"type": "ping"}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think."}}\n\n',
      `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"${SIGNATURE}"}}\n\n`,
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_9","name":"get_weather","input":{}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":30}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ];
    const wire = events.join('');
    upstream.answers({ chunks: [wire.slice(0, 77), wire.slice(77, 700), wire.slice(700)] });
    const stream = client.messages.stream({ model: 'claude', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, tools: TOOLS, messages: [{ role: 'user', content: 'Weather?' }] });
    const message = await stream.finalMessage();
    expect(message.content[0]).toEqual({ type: 'thinking', thinking: 'Let me think.', signature: SIGNATURE });
    expect(message.content[1]).toEqual({ type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} });
    expect(message.usage.cache_read_input_tokens).toBe(3000);
    expect(message.usage.input_tokens).toBe(12);

    // Byte for byte over raw HTTP.
    upstream.answers({ chunks: [wire] });
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(await res.text()).toBe(wire);
    expect(upstream.requests.at(-1)!.json).toEqual({ model: 'claude-sonnet-4-5-20250929', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] });
  });
});
