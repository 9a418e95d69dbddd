/**
 * Every endpoint beyond chat, against the mock with the official `openai` and
 * `@anthropic-ai/sdk` clients over real sockets: Responses (stored state included), embeddings,
 * legacy completions, model lookups, count_tokens, thinking with signatures, prompt caching —
 * and the fault profiles apply to each.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { shortHash, tokensOf } from './answer.js';
import { signatureOf, thinkingText } from './anthropic-thinking.js';
import { embeddingVector } from './embedding-vector.js';
import { startMockProvider, type MockProvider } from './server.js';

let mock: MockProvider;
afterEach(() => mock?.close());

const openai = (baseURL: string) => new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: 'sk-test', maxRetries: 0 });
const anthropic = (baseURL: string) => new Anthropic({ baseURL, apiKey: 'sk-ant-test', maxRetries: 0 });
const weather = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };

describe('OpenAI Responses', () => {
  it('answers, stores the response where it was made, continues it there only, deletes it', async () => {
    mock = await startMockProvider();
    const primary = openai(mock.deploymentUrl('primary'));
    const first = await primary.responses.create({ model: 'gpt-4o', instructions: 'be brief', input: 'What is a bulkhead?' });
    expect(first.id).toMatch(/^resp_/);
    expect(first.status).toBe('completed');
    expect(first.output_text).toBe(`mock answer from gpt-4o via primary: ${shortHash('What is a bulkhead?')}`);
    expect(first.usage).toEqual({
      input_tokens: tokensOf('be brief'.length + 'What is a bulkhead?'.length),
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: tokensOf(first.output_text.length),
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: first.usage!.input_tokens + first.usage!.output_tokens,
    });

    const again = await primary.responses.retrieve(first.id);
    expect(again).toEqual(first);

    const followUp = await primary.responses.create({ model: 'gpt-4o', previous_response_id: first.id, input: [{ role: 'user', content: 'and a breaker?' }] });
    expect(followUp.previous_response_id).toBe(first.id);
    expect(followUp.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);

    const elsewhere = openai(mock.deploymentUrl('secondary'));
    const refused = await elsewhere.responses.create({ model: 'gpt-4o', previous_response_id: first.id, input: 'hi' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('previous_response_not_found');
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('previous_response_id');
    await expect(elsewhere.responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    await primary.responses.delete(first.id);
    await expect(primary.responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const unstored = await primary.responses.create({ model: 'gpt-4o', input: 'x', store: false });
    await expect(primary.responses.retrieve(unstored.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(mock.stats().byEndpoint).toMatchObject({ responses: 4, 'responses.retrieve': 4, 'responses.delete': 1 });
  });

  it('streams the real event sequence; the SDK accumulates it into the same response', async () => {
    mock = await startMockProvider();
    const client = openai(mock.url);
    const types: string[] = [];
    const sequence: number[] = [];
    let text = '';
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'echo: streamed responses arrive in order', stream: true });
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-5)).toEqual(['response.output_text.delta', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(text).toBe('streamed responses arrive in order');
    expect(completed!.usage!.output_tokens).toBe(tokensOf(text.length));

    const helper = client.responses.stream({ model: 'gpt-4o', input: 'echo: the stream helper' });
    const final = await helper.finalResponse();
    expect(final.output_text).toBe('the stream helper');
    expect(await client.responses.retrieve(final.id)).toMatchObject({ id: final.id, status: 'completed' });
  });

  it('calls a function, streamed and not; the tool output continues the turn', async () => {
    mock = await startMockProvider();
    const client = openai(mock.url);
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: weather, strict: true }];
    const plain = await client.responses.create({ model: 'gpt-4o', input: 'use tool get_weather for Paris', tools });
    const call = plain.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"mock"}', status: 'completed' });
    const streamed = await client.responses.stream({ model: 'gpt-4o', input: 'use tool get_weather', tools }).finalResponse();
    expect(streamed.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"mock"}' });
    const answered = await client.responses.create({
      model: 'gpt-4o', previous_response_id: plain.id, tools, input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' }],
    });
    expect(answered.output[0].type).toBe('message');
  });
});

describe('OpenAI embeddings, completions, models', () => {
  it('embeddings: base64 (the SDK default) and float decode to the same unit vectors; dimensions shorten them', async () => {
    mock = await startMockProvider();
    const client = openai(mock.url);
    const base64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['first text', 'second text'] });
    const float = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['first text', 'second text'], encoding_format: 'float' });
    expect(base64.data.map((d) => d.index)).toEqual([0, 1]);
    expect(base64.data[0].embedding).toHaveLength(1536);
    expect(base64.data[0].embedding).toEqual(float.data[0].embedding);
    expect(float.data[1].embedding).toEqual(Array.from(embeddingVector('text-embedding-3-small', 'second text', 1536)));
    expect(float.data[0].embedding).not.toEqual(float.data[1].embedding);
    const norm = Math.hypot(...float.data[0].embedding);
    expect(norm).toBeCloseTo(1, 5);
    expect(float.usage).toEqual({ prompt_tokens: tokensOf(10) + tokensOf(11), total_tokens: tokensOf(10) + tokensOf(11) });
    const short = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'x', dimensions: 256, encoding_format: 'float' });
    expect(short.data[0].embedding).toHaveLength(256);
    const bad = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', dimensions: 5000 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('dimensions');
  });

  it('legacy completions, streamed (with a usage chunk) and not', async () => {
    mock = await startMockProvider();
    const client = openai(mock.deploymentUrl('legacy'));
    const done = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' });
    expect(done.object).toBe('text_completion');
    expect(done.choices[0]).toEqual({ text: `mock answer from gpt-3.5-turbo-instruct via legacy: ${shortHash('Say hi')}`, index: 0, logprobs: null, finish_reason: 'stop' });
    const stream = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'echo: legacy words stream', stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('legacy words stream');
    expect(finish).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: tokensOf(25), completion_tokens: tokensOf(text.length), total_tokens: tokensOf(25) + tokensOf(text.length) });
  });

  it('models.retrieve: a listed model, or 404 model_not_found', async () => {
    mock = await startMockProvider();
    const client = openai(mock.url);
    expect(await client.models.retrieve('gpt-4o-mini')).toMatchObject({ id: 'gpt-4o-mini', object: 'model', owned_by: 'bulwark-mock' });
    const missing = await client.models.retrieve('gpt-unknown').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });
});

describe('Anthropic count_tokens, models, thinking, prompt caching', () => {
  it('countTokens equals the input_tokens the same body is billed; models.retrieve', async () => {
    mock = await startMockProvider();
    const client = anthropic(mock.url);
    const body = { model: 'claude-sonnet-4-6', system: 'You are terse.', messages: [{ role: 'user' as const, content: 'Count me, please.' }] };
    const counted = await client.messages.countTokens(body);
    const message = await client.messages.create({ ...body, max_tokens: 64 });
    expect(counted).toEqual({ input_tokens: message.usage.input_tokens });
    expect(await client.models.retrieve('claude-haiku-4-5')).toMatchObject({ type: 'model', id: 'claude-haiku-4-5', display_name: 'claude-haiku-4-5' });
    await expect(client.models.retrieve('claude-none')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('thinking: a signed block before the answer, streamed as thinking_delta + signature_delta; the history must come back intact', async () => {
    mock = await startMockProvider();
    const client = anthropic(mock.url);
    const tools = [{ name: 'get_weather', input_schema: weather }];
    const thinking = { type: 'enabled' as const, budget_tokens: 2048 };
    const question = { role: 'user' as const, content: 'use tool get_weather for Paris' };
    const first = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 4096, thinking, tools, messages: [question] });
    const expectedThinking = thinkingText({ lastUserText: question.content } as never);
    expect(first.content[0]).toEqual({ type: 'thinking', thinking: expectedThinking, signature: signatureOf(expectedThinking) });
    expect(first.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'mock' } });
    const toolUse = first.content[1] as Anthropic.ToolUseBlock;
    const result = { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: toolUse.id, content: '21 C' }] };

    const ok = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 4096, thinking, tools, messages: [question, { role: 'assistant', content: first.content }, result] });
    expect(ok.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const dropped = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 4096, thinking, tools, messages: [question, { role: 'assistant', content: [toolUse] }, result] }).catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(Anthropic.BadRequestError);
    expect((dropped as Error).message).toContain('Expected `thinking` or `redacted_thinking`');
    const forged = [{ ...first.content[0], signature: 'Zm9yZ2Vk' } as Anthropic.ThinkingBlock, toolUse];
    const altered = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 4096, thinking, tools, messages: [question, { role: 'assistant', content: forged }, result] }).catch((e: unknown) => e);
    expect((altered as Error).message).toContain('Invalid `signature` in `thinking` block');

    const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 4096, thinking, messages: [{ role: 'user', content: 'echo: thought through' }] });
    const deltas: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') deltas.push(event.delta.type);
    });
    const streamed = await stream.finalMessage();
    expect(deltas).toContain('thinking_delta');
    expect(deltas).toContain('signature_delta');
    const streamedThinking = thinkingText({ lastUserText: 'echo: thought through' } as never);
    expect(streamed.content).toEqual([{ type: 'thinking', thinking: streamedThinking, signature: signatureOf(streamedThinking) }, { type: 'text', text: 'thought through' }]);
    const refused = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1000, thinking, messages: [question] }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain('max_tokens');
  });

  it('cache_control: the first request writes the prefix, the next reads it; input_tokens is what is left', async () => {
    mock = await startMockProvider();
    const client = anthropic(mock.url);
    const system = [{ type: 'text' as const, text: 'A long shared instruction block. '.repeat(40), cache_control: { type: 'ephemeral' as const } }];
    const body = (question: string) => ({ model: 'claude-sonnet-4-6', max_tokens: 64, system, messages: [{ role: 'user' as const, content: question }] });
    const prefixTokens = Math.floor(system[0].text.length / 4);
    const write = await client.messages.create(body('first question'));
    expect(write.usage).toEqual({
      input_tokens: tokensOf(system[0].text.length + 'first question'.length) - prefixTokens,
      cache_creation_input_tokens: prefixTokens,
      cache_read_input_tokens: 0,
      output_tokens: write.usage.output_tokens,
    });
    const read = await client.messages.create(body('second question'));
    expect(read.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: prefixTokens });
    const streamed = await client.messages.stream(body('third')).finalMessage();
    expect(streamed.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: prefixTokens });
    const plain = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'no cache' }] });
    expect(plain.usage).toEqual({ input_tokens: tokensOf('no cache'.length), output_tokens: plain.usage.output_tokens });
    const otherDeployment = await anthropic(mock.deploymentUrl('other')).messages.create(body('first question'));
    expect(otherDeployment.usage.cache_read_input_tokens).toBe(0);
  });
});

describe('fault profiles apply to every endpoint', () => {
  it('a deployment answering 503 fails Responses, embeddings, completions, model lookups and count_tokens in the API format', async () => {
    mock = await startMockProvider({ profile: { deployments: { down: { errors: { '503': 1 } } } } });
    const client = openai(mock.deploymentUrl('down'));
    const failures = await Promise.all([
      client.responses.create({ model: 'gpt-4o', input: 'x' }).catch((e: unknown) => e),
      client.responses.create({ model: 'gpt-4o', input: 'x', stream: true }).catch((e: unknown) => e),
      client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }).catch((e: unknown) => e),
      client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' }).catch((e: unknown) => e),
      client.models.retrieve('gpt-4o').catch((e: unknown) => e),
    ]);
    for (const failure of failures) expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    const claude = anthropic(mock.deploymentUrl('down'));
    await expect(claude.messages.countTokens({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    await expect(claude.models.retrieve('claude-sonnet-4-6')).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    expect(mock.stats().byDeployment.down.byStatus['503']).toBe(7);
  });

  it('a stream cut ends a Responses stream before response.completed', async () => {
    mock = await startMockProvider({ profile: { default: { streamCut: { probability: 1, afterChunks: 3 } } } });
    const stream = await openai(mock.url).responses.create({ model: 'gpt-4o', input: 'echo: a b c d e f', stream: true });
    const types: string[] = [];
    const outcome = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(Error);
    expect(types).not.toContain('response.completed');
  });
});
