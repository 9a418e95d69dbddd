import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LlmError } from '../errors.js';
import { cacheKey } from '../router/cache/cache-key.js';
import { SseParser } from '../sse.js';
import type { ChatRequest, StreamEvent } from '../types.js';
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS, AnthropicStreamDecoder, AnthropicStreamEncoder, fromAnthropicResponse, parseAnthropicRequest,
  toAnthropicRequest, toAnthropicResponse,
} from './anthropic.js';
import {
  ANTHROPIC_REQUEST, ANTHROPIC_RESPONSE, ANTHROPIC_SSE, CANONICAL_EVENTS, CANONICAL_REQUEST, CANONICAL_RESPONSE,
  OPENAI_REQUEST, OPENAI_RESPONSE, OPENAI_SSE,
} from './conversation.fixture.js';
import { fromOpenAIResponse, OpenAIStreamDecoder, OpenAIStreamEncoder, parseOpenAIRequest, toOpenAIRequest, toOpenAIResponse } from './openai.js';

/** Splits `text` at the given cut points and decodes it as one dialect's stream. */
function decodeStream(dialect: 'openai' | 'anthropic', text: string, cuts: number[] = []): StreamEvent[] {
  const parser = new SseParser();
  const openai = new OpenAIStreamDecoder();
  const anthropic = new AnthropicStreamDecoder();
  const events: StreamEvent[] = [];
  const bytes = Buffer.from(text);
  let start = 0;
  for (const cut of [...cuts.sort((a, b) => a - b), bytes.length]) {
    for (const e of parser.feed(bytes.subarray(start, cut))) {
      events.push(...(dialect === 'openai' ? openai.decode(e.data) : anthropic.decode(e.event, e.data)));
    }
    start = cut;
  }
  parser.end();
  events.push(...(dialect === 'openai' ? openai.end() : anthropic.end()));
  return events;
}

const DIALECTS = [
  {
    name: 'openai',
    parse: (body: unknown) => parseOpenAIRequest(body).request,
    requestBody: OPENAI_REQUEST,
    toRequest: (r: ChatRequest) => toOpenAIRequest(r),
    responseBody: OPENAI_RESPONSE,
    fromResponse: (b: unknown) => fromOpenAIResponse(b),
    toResponse: toOpenAIResponse,
    sse: OPENAI_SSE,
    encode: (events: StreamEvent[]) => {
      const enc = new OpenAIStreamEncoder({ created: 1, includeUsage: true });
      return events.map((e) => enc.encode(e)).join('');
    },
  },
  {
    name: 'anthropic',
    parse: (body: unknown) => parseAnthropicRequest(body).request,
    requestBody: ANTHROPIC_REQUEST,
    toRequest: (r: ChatRequest) => toAnthropicRequest(r),
    responseBody: ANTHROPIC_RESPONSE,
    fromResponse: (b: unknown) => fromAnthropicResponse(b, CANONICAL_RESPONSE.created),
    toResponse: toAnthropicResponse,
    sse: ANTHROPIC_SSE,
    encode: (events: StreamEvent[]) => {
      const enc = new AnthropicStreamEncoder();
      return events.map((e) => enc.encode(e)).join('');
    },
  },
] as const;

describe.each(DIALECTS)('$name dialect', (d) => {
  it('parses the conversation into the canonical request', () => {
    expect(d.parse(d.requestBody)).toEqual(CANONICAL_REQUEST);
  });

  it('round-trips the canonical request (canonical → dialect → canonical)', () => {
    expect(d.parse(JSON.parse(JSON.stringify(d.toRequest(CANONICAL_REQUEST))))).toEqual(CANONICAL_REQUEST);
  });

  it('reads the upstream response into the canonical response', () => {
    expect(d.fromResponse(d.responseBody)).toEqual(CANONICAL_RESPONSE);
  });

  it('round-trips the canonical response', () => {
    expect(d.fromResponse(JSON.parse(JSON.stringify(d.toResponse(CANONICAL_RESPONSE))))).toEqual(CANONICAL_RESPONSE);
  });

  it('decodes the upstream stream into the canonical events', () => {
    expect(decodeStream(d.name, d.sse)).toEqual(CANONICAL_EVENTS);
  });

  it('decodes the same events wherever the byte stream is cut', () => {
    const length = Buffer.byteLength(d.sse);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: length }), { maxLength: 12 }), (cuts) => {
      expect(decodeStream(d.name, d.sse, cuts)).toEqual(CANONICAL_EVENTS);
    }), { numRuns: 150 });
  });

  it('round-trips canonical events through its encoder and decoder', () => {
    expect(decodeStream(d.name, d.encode(CANONICAL_EVENTS))).toEqual(CANONICAL_EVENTS);
  });

  it('throws connection when the stream ends before it finished', () => {
    const cut = d.sse.slice(0, d.sse.indexOf(d.name === 'openai' ? '"tool_calls"}' : 'message_delta'));
    expect(() => decodeStream(d.name, cut)).toThrow(expect.objectContaining({ kind: 'connection' }));
  });

  it('throws server_error on a chunk that is not JSON', () => {
    const broken = d.sse.replace('"Check"', '"Check');
    expect(() => decodeStream(d.name, broken)).toThrow(expect.objectContaining({ kind: 'server_error' }));
  });
});

describe('dialect specifics', () => {
  it('carries response_format: OpenAI both ways, Anthropic as a system instruction, and it changes the cache key', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const { request } = parseOpenAIRequest({
      model: 'gpt-4', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema, strict: true } },
    });
    expect(request.responseFormat).toEqual({ type: 'json_schema', name: 'place', schema, strict: true });
    expect(toOpenAIRequest(request).response_format).toEqual({ type: 'json_schema', json_schema: { name: 'place', schema, strict: true } });
    expect(parseOpenAIRequest(toOpenAIRequest(request)).request).toEqual(request);
    const anthropic = toAnthropicRequest(request) as { system: string };
    expect(anthropic.system).toMatch(/^Be brief\.\n\nRespond with a single valid JSON object/);
    expect(anthropic.system).toContain(JSON.stringify(schema));
    expect(parseOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'text' } }).request.responseFormat).toBeUndefined();
    expect(() => parseOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'xml' } })).toThrow(/response_format\.type/);
    const plain = { ...request, responseFormat: undefined };
    expect(cacheKey('gpt-4', request, 't')).not.toBe(cacheKey('gpt-4', plain, 't'));
    expect(cacheKey('gpt-4', { ...request, responseFormat: { type: 'json_object' } }, 't')).not.toBe(cacheKey('gpt-4', plain, 't'));
  });

  it('merges tool results and the next user text into one Anthropic user turn (alternating roles)', () => {
    const body = toAnthropicRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: 'Two calls.', toolCalls: [{ id: 'a', name: 't', arguments: '{}' }, { id: 'b', name: 't', arguments: '{"x":1}' }] },
        { role: 'tool', toolCallId: 'a', content: 'A' },
        { role: 'tool', toolCallId: 'b', content: 'B', isError: true },
        { role: 'user', content: 'now answer' },
      ],
    });
    expect(body.max_tokens).toBe(ANTHROPIC_DEFAULT_MAX_TOKENS);
    expect(body.messages).toEqual([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [{ type: 'text', text: 'Two calls.' }, { type: 'tool_use', id: 'a', name: 't', input: {} }, { type: 'tool_use', id: 'b', name: 't', input: { x: 1 } }] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'a', content: 'A' },
        { type: 'tool_result', tool_use_id: 'b', content: 'B', is_error: true },
        { type: 'text', text: 'now answer' },
      ] },
    ]);
  });

  it('pins the Anthropic max_tokens default', () => {
    expect(ANTHROPIC_DEFAULT_MAX_TOKENS).toBe(4096);
  });

  it('joins OpenAI system and developer messages and reads images', () => {
    const { request, stream, includeUsage } = parseOpenAIRequest({
      model: 'm', stream: true, stream_options: { include_usage: true }, max_completion_tokens: 9,
      messages: [
        { role: 'system', content: 'A' }, { role: 'developer', content: [{ type: 'text', text: 'B' }] },
        { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      ],
    });
    expect({ stream, includeUsage }).toEqual({ stream: true, includeUsage: true });
    expect(request.system).toBe('A\n\nB');
    expect(request.maxTokens).toBe(9);
    expect(request.messages[0]).toEqual({ role: 'user', content: [
      { type: 'text', text: 'see' }, { type: 'image', data: 'AAAA', mediaType: 'image/png' }, { type: 'image', url: 'https://x/y.png' },
    ] });
    const anthropic = toAnthropicRequest(request) as { messages: { content: unknown }[] };
    expect(anthropic.messages[0].content).toEqual([
      { type: 'text', text: 'see' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
      { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
    ]);
  });

  it.each([
    ['openai', { model: 'm', messages: [] }, "'messages' must contain at least one message"],
    ['openai', { messages: [{ role: 'user', content: 'x' }] }, "'model' must be a string"],
    ['openai', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, "'messages[0].role'"],
    ['openai', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 }, "'temperature' must be between 0 and 2"],
    ['openai', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, "'messages[0].tool_call_id' must be a string"],
    ['openai', { model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }, "'n' must be 1"],
    ['openai', { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] }, "'tools[0].function' must be an object"],
    ['openai', 'not json object', "'body' must be an object"],
    ['openai', { model: 'm', messages: [{ role: 'user', content: null }] }, "'messages[0].content' must be a string or an array of content parts, got null"],
    ['openai', { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, "'messages[0].content[0].type' must be 'text', 'image_url' or 'file'"],
    ['anthropic', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, "'max_tokens' must be a positive integer"],
    ['anthropic', { model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, "'messages[0].role' must be 'user' or 'assistant'"],
    ['anthropic', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'video' }] }] }, "'messages[0].content[0].type'"],
    ['anthropic', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] }, "'messages[0].content[0].tool_use_id'"],
    ['anthropic', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tool_choice: { type: 'maybe' } }, "'tool_choice.type'"],
  ] as const)('%s rejects a bad body naming the field: %s', (dialect, body, message) => {
    const parse = dialect === 'openai' ? parseOpenAIRequest : parseAnthropicRequest;
    let caught: unknown;
    try {
      parse(body);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LlmError);
    expect((caught as LlmError).kind).toBe('invalid_request');
    expect((caught as LlmError).status).toBe(400);
    expect((caught as LlmError).message).toContain(message);
  });

  it.each([
    ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['max_tokens', 'length'], ['tool_use', 'tool_calls'], ['refusal', 'content_filter'],
  ] as const)('maps Anthropic stop_reason %s to %s', (stopReason, finish) => {
    expect(fromAnthropicResponse({ ...ANTHROPIC_RESPONSE, stop_reason: stopReason }, 0).finishReason).toBe(finish);
  });

  it('counts Anthropic cached input tokens as input, and keeps them apart', () => {
    const r = fromAnthropicResponse({ ...ANTHROPIC_RESPONSE, usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 7, output_tokens: 3 } }, 0);
    expect(r.usage).toEqual({ inputTokens: 112, outputTokens: 3, cachedInputTokens: 100, cacheWriteInputTokens: 7 });
  });

  it('rejects tool-call arguments Anthropic cannot express, naming the call', () => {
    expect(() => toAnthropicRequest({ model: 'm', messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 't', arguments: '[1]' }] }] }))
      .toThrow("'messages[0].toolCalls[0].arguments' must encode a JSON object");
  });

  it('classifies in-stream errors in both dialects', () => {
    const anthropic = new AnthropicStreamDecoder();
    expect(() => anthropic.decode('error', JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })))
      .toThrow(expect.objectContaining({ kind: 'overloaded' }));
    const openai = new OpenAIStreamDecoder();
    expect(() => openai.decode(JSON.stringify({ error: { message: 'too fast', type: 'requests', code: 'rate_limit_exceeded' } })))
      .toThrow(expect.objectContaining({ kind: 'rate_limited' }));
  });

  it('skips the Azure prompt-filter prelude chunk before the answer starts', () => {
    const prelude = 'data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0}]}\n\n';
    expect(decodeStream('openai', prelude + OPENAI_SSE)).toEqual(CANONICAL_EVENTS);
  });

  it.each([
    ['openai', () => new OpenAIStreamEncoder({ created: 1 })],
    ['anthropic', () => new AnthropicStreamEncoder()],
  ] as const)('%s encoder writes nothing after finish (e.g. a late event of a continued stream)', (_name, make) => {
    const enc = make();
    for (const e of CANONICAL_EVENTS) enc.encode(e);
    expect(enc.encode({ type: 'text', text: 'late' })).toBe('');
    expect(enc.encode(CANONICAL_EVENTS[CANONICAL_EVENTS.length - 1])).toBe('');
  });

  it('OpenAI encoder omits the usage chunk unless asked, and always ends with [DONE]', () => {
    const enc = new OpenAIStreamEncoder({ created: 5 });
    const text = CANONICAL_EVENTS.map((e) => enc.encode(e)).join('');
    expect(text).not.toContain('"usage"');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
