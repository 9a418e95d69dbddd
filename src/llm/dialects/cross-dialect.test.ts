/**
 * Golden tests: each field both APIs can express survives a translation, both ways, and
 * what cannot be expressed is named (never lost silently).
 */
import { describe, expect, it } from 'vitest';
import { parseAnthropicRequest, toAnthropicRequest } from './anthropic-request.js';
import { fromAnthropicResponse, toAnthropicResponse } from './anthropic-response.js';
import { AnthropicStreamDecoder } from './anthropic-stream.js';
import { uncarried, withoutPaths } from './capabilities.js';
import { ANTHROPIC_MESSAGES_CAPABILITIES, anthropicMessagesFeatures } from './anthropic-messages/capabilities.js';
import { OPENAI_CHAT_CAPABILITIES, openAIChatFeatures } from './openai-chat/capabilities.js';
import { parseOpenAIRequest, toOpenAIRequest } from './openai-request.js';
import { fromOpenAIResponse, toOpenAIResponse } from './openai-response.js';
import { OpenAIStreamEncoder } from './openai-stream.js';

const PDF = 'JVBERi0xLjQK';
const openaiToAnthropic = (body: Record<string, unknown>) => toAnthropicRequest({ ...parseOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body }).request, model: 'claude' });
const anthropicToOpenAI = (body: Record<string, unknown>) => toOpenAIRequest({ ...parseAnthropicRequest({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...body }).request, model: 'gpt' });

describe('requests, OpenAI → Anthropic', () => {
  it('reasoning_effort becomes thinking with its budget (and room for the answer)', () => {
    expect(openaiToAnthropic({ reasoning_effort: 'medium' })).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 8192 }, max_tokens: 8192 + 4096 });
  });
  it('parallel_tool_calls: false becomes disable_parallel_tool_use', () => {
    const tools = [{ type: 'function', function: { name: 't', parameters: { type: 'object' } } }];
    expect(openaiToAnthropic({ tools, parallel_tool_calls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });
  it('a PDF file part becomes a document block', () => {
    const body = openaiToAnthropic({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'r.pdf' } }] }] });
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'r.pdf' }] }]);
  });
  it('safety_identifier becomes metadata.user_id; stop becomes stop_sequences', () => {
    expect(openaiToAnthropic({ safety_identifier: 'u-9', stop: ['END'] })).toMatchObject({ metadata: { user_id: 'u-9' }, stop_sequences: ['END'] });
  });
  it('names what Anthropic cannot carry', () => {
    const body = { model: 'm', n: 2, logprobs: true, seed: 1, messages: [{ role: 'user', name: 'a', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'high' } }] }], brand_new: 1 };
    expect(uncarried(openAIChatFeatures(body), ANTHROPIC_MESSAGES_CAPABILITIES)).toEqual(['n', 'logprobs', 'seed', 'brand_new', 'messages[0].name', 'messages[0].content[0].image_url.detail']);
    expect(withoutPaths(body, ['n', 'messages[0].name'])).toEqual({ model: 'm', logprobs: true, seed: 1, messages: [{ role: 'user', content: body.messages[0].content }], brand_new: 1 });
  });
});

describe('requests, Anthropic → OpenAI', () => {
  it('thinking becomes reasoning_effort', () => {
    expect(anthropicToOpenAI({ max_tokens: 30_000, thinking: { type: 'enabled', budget_tokens: 24_576 } }).reasoning_effort).toBe('high');
    expect(anthropicToOpenAI({ thinking: { type: 'disabled' } })).not.toHaveProperty('reasoning_effort');
  });
  it('disable_parallel_tool_use becomes parallel_tool_calls: false', () => {
    const body = anthropicToOpenAI({ tools: [{ name: 't', input_schema: { type: 'object' } }], tool_choice: { type: 'any', disable_parallel_tool_use: true } });
    expect(body).toMatchObject({ tool_choice: 'required', parallel_tool_calls: false });
  });
  it('a base64 PDF document becomes a file part', () => {
    const body = anthropicToOpenAI({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'r.pdf' }] }] });
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'r.pdf' } }] }]);
  });
  it('names what OpenAI cannot carry; cache_control is carried (OpenAI caches prefixes itself)', () => {
    const body = {
      model: 'm', max_tokens: 5, top_k: 3, system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 'sig' }, { type: 'text', text: 'x' }] }],
    };
    expect(uncarried(anthropicMessagesFeatures(body), OPENAI_CHAT_CAPABILITIES)).toEqual(['top_k', 'messages[0].content[0]']);
  });
});

describe('answers, both ways', () => {
  it('Anthropic thinking, cache usage and a no-argument tool call reach an OpenAI client', () => {
    const canonical = fromAnthropicResponse({
      id: 'msg', model: 'claude', stop_reason: 'tool_use',
      content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'tool_use', id: 't1', name: 'now', input: {} }],
      usage: { input_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 7 },
    }, 1);
    const openai = toOpenAIResponse(canonical) as { choices: Array<{ message: Record<string, unknown> }>; usage: unknown };
    expect(openai.choices[0].message).toMatchObject({ reasoning_content: 'hmm', tool_calls: [{ id: 't1', type: 'function', function: { name: 'now', arguments: '{}' } }] });
    expect(openai.usage).toEqual({ prompt_tokens: 125, completion_tokens: 7, total_tokens: 132, prompt_tokens_details: { cached_tokens: 100 } });
  });
  it('OpenAI cached tokens, a refusal and reasoning_content reach an Anthropic client', () => {
    const canonical = fromOpenAIResponse({
      id: 'c', model: 'gpt', created: 1,
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot.', reasoning_content: 'why' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1200, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 1024 } },
    });
    expect(toAnthropicResponse(canonical)).toMatchObject({
      content: [{ type: 'thinking', thinking: 'why', signature: '' }, { type: 'text', text: 'I cannot.' }],
      stop_reason: 'refusal',
      usage: { input_tokens: 176, cache_read_input_tokens: 1024, cache_creation_input_tokens: 0, output_tokens: 3 },
    });
  });
  it('a streamed Anthropic tool call with no arguments reaches an OpenAI client as {} (never "")', () => {
    const decoder = new AnthropicStreamDecoder();
    const encoder = new OpenAIStreamEncoder({ created: 1, includeUsage: true });
    const events = [
      ['message_start', { type: 'message_start', message: { id: 'm', model: 'c', usage: { input_tokens: 3, cache_read_input_tokens: 9, output_tokens: 1 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'plan' } }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't', name: 'now', input: {} } }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4 } }],
      ['message_stop', { type: 'message_stop' }],
    ] as const;
    let sse = '';
    for (const [name, data] of events) for (const event of decoder.decode(name, JSON.stringify(data))) sse += encoder.encode(event);
    const chunks = sse.split('\n\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)) as { choices: Array<{ delta: Record<string, unknown> }>; usage?: unknown });
    const args = chunks.flatMap((c) => c.choices.flatMap((ch) => (ch.delta.tool_calls as Array<{ function: { arguments?: string } }> | undefined) ?? [])).map((t) => t.function.arguments ?? '').join('');
    expect(args).toBe('{}');
    expect(chunks.some((c) => c.choices[0]?.delta.reasoning_content === 'plan')).toBe(true);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16, prompt_tokens_details: { cached_tokens: 9 } });
  });
});
