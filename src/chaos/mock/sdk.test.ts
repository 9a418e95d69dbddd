/**
 * The official `openai` and `@anthropic-ai/sdk` clients, pointed at the mock by baseURL, accept
 * its answers, streams and errors as if it were the real API.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { shortHash } from './answer.js';
import { startMockProvider, type MockProvider } from './server.js';

let mock: MockProvider;
afterEach(() => mock?.close());

const openai = (baseURL: string, maxRetries = 0) => new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: 'sk-test', maxRetries });
const anthropic = (baseURL: string, maxRetries = 0) => new Anthropic({ baseURL, apiKey: 'sk-ant-test', maxRetries });
const weatherSchema = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };

describe('openai SDK against the mock', () => {
  it('non-streaming: deterministic answer, model, usage', async () => {
    mock = await startMockProvider();
    const completion = await openai(mock.deploymentUrl('primary')).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'What is a circuit breaker?' }],
    });
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0].message.content).toBe(`mock answer from gpt-4o-mini via primary: ${shortHash('What is a circuit breaker?')}`);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: Math.ceil(34 / 4), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
  });

  it('streaming: chunks join into the same answer; include_usage adds a usage chunk', async () => {
    mock = await startMockProvider();
    const client = openai(mock.url);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'echo: streamed words arrive in order' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('streamed words arrive in order');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(Math.ceil(text.length / 4));
  });

  it('tool calls, streamed and not', async () => {
    mock = await startMockProvider();
    const client = openai(mock.url);
    const request = {
      model: 'gpt-4o',
      messages: [{ role: 'user' as const, content: 'use tool get_weather for Paris' }],
      tools: [{ type: 'function' as const, function: { name: 'get_weather', parameters: weatherSchema } }],
    };
    const completion = await client.chat.completions.create(request);
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    const call = completion.choices[0].message.tool_calls![0];
    expect(call.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"mock"}' });
    const runner = client.chat.completions.stream(request);
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0].message.tool_calls![0];
    expect(streamed.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ city: 'mock' });
  });

  it('errors map to the SDK’s classes; retry-after-ms drives its retries, 401 is not retried', async () => {
    mock = await startMockProvider({ profile: { deployments: { limited: { errors: { '429': 1 }, retryAfterMs: 5 }, badkey: { authFailure: true } } } });
    const limited = openai(mock.deploymentUrl('limited'), 2);
    const error = await limited.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    expect(mock.stats().byDeployment.limited.requests).toBe(3); // 1 + 2 retries
    const auth = await openai(mock.deploymentUrl('badkey'), 2).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(mock.stats().byDeployment.badkey.requests).toBe(1);
  });

  it('context_length_exceeded arrives as a BadRequestError with its code', async () => {
    mock = await startMockProvider({ profile: { default: { contextWindow: { maxTokens: 5 } } } });
    const error = await openai(mock.url).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'y'.repeat(40) }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
  });

  it('a cut stream fails the iteration instead of ending quietly', async () => {
    mock = await startMockProvider({ profile: 'cut-streams' });
    const stream = await openai(mock.url).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toThrow();
    expect(seen).toHaveLength(3);
  });
});

describe('@anthropic-ai/sdk against the mock', () => {
  it('non-streaming: deterministic answer, model, usage', async () => {
    mock = await startMockProvider();
    const message = await anthropic(mock.deploymentUrl('secondary')).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      system: 'be brief',
      messages: [{ role: 'user', content: 'What is a bulkhead?' }],
    });
    expect(message.model).toBe('claude-sonnet-4-6');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content).toEqual([{ type: 'text', text: `mock answer from claude-sonnet-4-6 via secondary: ${shortHash('What is a bulkhead?')}` }]);
    expect(message.usage).toMatchObject({ input_tokens: Math.ceil(27 / 4), output_tokens: expect.any(Number) });
  });

  it('streaming: text deltas, stop reason and usage through the SDK’s event stream', async () => {
    mock = await startMockProvider();
    const stream = anthropic(mock.url).messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'echo: one two three' }] });
    const types: string[] = [];
    let text = '';
    stream.on('text', (delta) => (text += delta));
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalMessage();
    expect(text).toBe('one two three');
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types).toContain('content_block_stop');
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(Math.ceil('one two three'.length / 4));
  });

  it('tool use, streamed and not; a tool result gets a text answer', async () => {
    mock = await startMockProvider();
    const client = anthropic(mock.url);
    const tools = [{ name: 'get_weather', input_schema: weatherSchema }];
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, tools, messages: [{ role: 'user', content: 'please use tool' }] });
    expect(message.stop_reason).toBe('tool_use');
    const block = message.content[0];
    expect(block.type === 'tool_use' && block.input).toEqual({ city: 'mock' });
    const streamed = await client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, tools, messages: [{ role: 'user', content: 'please use tool' }] }).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'mock' } });
    const after = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'please use tool' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: (block as { id: string }).id, content: 'sunny' }] },
      ],
    });
    expect(after.stop_reason).toBe('end_turn');
  });

  it('529 and context-length errors arrive as SDK errors with the Anthropic error type', async () => {
    mock = await startMockProvider({ profile: { models: { busy: { errors: { '529': 1 } }, small: { contextWindow: { maxTokens: 3 } } } } });
    const client = anthropic(mock.url);
    const overloaded = await client.messages.create({ model: 'busy', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    const tooLong = await client.messages.create({ model: 'small', max_tokens: 10, messages: [{ role: 'user', content: 'z'.repeat(40) }] }).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(Anthropic.BadRequestError);
    expect((tooLong as InstanceType<typeof Anthropic.BadRequestError>).message).toMatch(/prompt is too long: 10 tokens > 3 maximum/);
  });

  it('a cut stream rejects finalMessage()', async () => {
    mock = await startMockProvider({ profile: { default: { streamCut: { afterChunks: 2 } } } });
    const stream = anthropic(mock.url).messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] });
    await expect(stream.finalMessage()).rejects.toThrow();
  });
});
