/**
 * The encoders' output read by the OFFICIAL SDKs (openai, @anthropic-ai/sdk) over real HTTP:
 * a local node:http server answers with what our dialect code produces.
 */
import Anthropic from '@anthropic-ai/sdk';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmError } from '../errors.js';
import type { StreamEvent } from '../types.js';
import { AnthropicStreamEncoder, toAnthropicErrorBody, toAnthropicResponse } from './anthropic.js';
import { CANONICAL_EVENTS, CANONICAL_RESPONSE } from './conversation.fixture.js';
import { OpenAIStreamEncoder, toOpenAIErrorBody, toOpenAIResponse } from './openai.js';

type Reply = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;

let server: Server;
let baseUrl: string;
let reply: Reply;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c));
    req.on('end', () => reply(req, res, JSON.parse(text || '{}')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const sse = (res: ServerResponse, text: string) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(text);
};

const TEXT_ONLY: StreamEvent[] = [
  { type: 'start', id: 'r2', model: 'm-2' },
  { type: 'text', text: 'Hello, ' },
  { type: 'text', text: 'world.' },
  { type: 'finish', finishReason: 'length', usage: { inputTokens: 3, outputTokens: 4 } },
];

describe('openai SDK reads our OpenAI dialect', () => {
  const client = () => new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'x', maxRetries: 0 });

  it('non-streaming: text, tool calls, finish reason, usage', async () => {
    reply = (req, res) => {
      expect(req.url).toBe('/v1/chat/completions');
      json(res, 200, toOpenAIResponse(CANONICAL_RESPONSE));
    };
    const completion = await client().chat.completions.create({ model: 'm-1', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.id).toBe('resp_1');
    const choice = completion.choices[0];
    expect(choice.message.content).toBe('Checking.');
    expect(choice.message.tool_calls).toEqual([{ id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }]);
    expect(choice.finish_reason).toBe('tool_calls');
    expect(completion.usage).toEqual({ prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 });
  });

  it('streaming: the SDK accumulates the final completion from our chunks', async () => {
    reply = (_req, res, body) => {
      expect(body.stream).toBe(true);
      const enc = new OpenAIStreamEncoder({ created: 1_700_000_000, includeUsage: true });
      sse(res, CANONICAL_EVENTS.map((e) => enc.encode(e)).join(''));
    };
    const stream = client().chat.completions.stream({
      model: 'm-1', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true },
    });
    let streamedText = '';
    stream.on('content', (delta) => (streamedText += delta));
    const final = await stream.finalChatCompletion();
    expect(streamedText).toBe('Checking.');
    expect(final.id).toBe('resp_1');
    expect(final.choices[0].message.content).toBe('Checking.');
    expect(final.choices[0].message.tool_calls?.map((c) => ({ id: c.id, name: c.function.name, args: c.function.arguments })))
      .toEqual([{ id: 'call_2', name: 'get_weather', args: '{"city":"Lyon"}' }]);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.usage).toEqual({ prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 });
  });

  it('streaming with create(): raw chunks end cleanly at [DONE]', async () => {
    reply = (_req, res) => {
      const enc = new OpenAIStreamEncoder({ created: 1 });
      sse(res, TEXT_ONLY.map((e) => enc.encode(e)).join(''));
    };
    const stream = await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      expect(chunk.model).toBe('m-2');
    }
    expect(text).toBe('Hello, world.');
    expect(finish).toBe('length');
  });

  it('error bodies surface as the SDK error with our message and code', async () => {
    reply = (_req, res) => json(res, 400, toOpenAIErrorBody(new LlmError('context_length_exceeded', 'Prompt too long for m-1')));
    const err = await client().chat.completions.create({ model: 'm', messages: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
    expect((err as Error).message).toContain('Prompt too long for m-1');
  });

  it('an in-stream error chunk makes the SDK throw', async () => {
    reply = (_req, res) => {
      const enc = new OpenAIStreamEncoder({ created: 1 });
      sse(res, enc.encode(TEXT_ONLY[0]) + enc.encode(TEXT_ONLY[1]) + enc.encodeError(toOpenAIErrorBody(new LlmError('overloaded', 'Upstream overloaded'))));
    };
    const stream = await client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const err = await (async () => {
      for await (const _chunk of stream) { /* drain */ }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toContain('Upstream overloaded');
  });
});

describe('@anthropic-ai/sdk reads our Anthropic dialect', () => {
  const client = () => new Anthropic({ baseURL: baseUrl, apiKey: 'x', maxRetries: 0 });

  it('non-streaming: text, tool use, stop reason, usage', async () => {
    reply = (req, res) => {
      expect(req.url).toBe('/v1/messages');
      json(res, 200, toAnthropicResponse(CANONICAL_RESPONSE));
    };
    const message = await client().messages.create({ model: 'm-1', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.id).toBe('resp_1');
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Lyon' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toEqual({ input_tokens: 40, output_tokens: 12 });
  });

  it('streaming: the SDK accumulates the final message from our events', async () => {
    reply = (_req, res, body) => {
      expect(body.stream).toBe(true);
      const enc = new AnthropicStreamEncoder();
      sse(res, CANONICAL_EVENTS.map((e) => enc.encode(e)).join(''));
    };
    const stream = client().messages.stream({ model: 'm-1', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    let streamedText = '';
    stream.on('text', (delta) => (streamedText += delta));
    const final = await stream.finalMessage();
    expect(streamedText).toBe('Checking.');
    expect(final.id).toBe('resp_1');
    expect(final.model).toBe('m-1');
    expect(final.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Lyon' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage.input_tokens).toBe(40);
    expect(final.usage.output_tokens).toBe(12);
  });

  it('streaming text only, with a ping, maps length to max_tokens', async () => {
    reply = (_req, res) => {
      const enc = new AnthropicStreamEncoder();
      sse(res, enc.encode(TEXT_ONLY[0]) + enc.encodePing() + TEXT_ONLY.slice(1).map((e) => enc.encode(e)).join(''));
    };
    const final = await client().messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello, world.' }]);
    expect(final.stop_reason).toBe('max_tokens');
  });

  it('error bodies surface as the SDK error with our type and message', async () => {
    reply = (_req, res) => json(res, 429, toAnthropicErrorBody(new LlmError('rate_limited', 'Slow down please')));
    const err = await client().messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as { error: { error: { type: string } } }).error.error.type).toBe('rate_limit_error');
    expect((err as Error).message).toContain('Slow down please');
  });

  it('an in-stream error event makes the SDK throw', async () => {
    reply = (_req, res) => {
      const enc = new AnthropicStreamEncoder();
      sse(res, enc.encode(TEXT_ONLY[0]) + enc.encode(TEXT_ONLY[1]) + enc.encodeError(toAnthropicErrorBody(new LlmError('overloaded', 'Upstream overloaded'))));
    };
    const err = await client().messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as Error).message).toContain('overloaded_error');
  });
});
