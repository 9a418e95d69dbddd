/**
 * One conversation written in each dialect (system, user, assistant tool call, tool result,
 * final answer), used by the translation tests to prove both paths reach the same canonical form.
 */
import type { ChatRequest, ChatResponse, StreamEvent } from '../types.js';

export const TOOL_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

export const CANONICAL_REQUEST: ChatRequest = {
  model: 'm-1',
  system: 'You are terse.',
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', toolCallId: 'call_1', content: '18C sunny' },
    { role: 'assistant', content: 'It is 18C and sunny.' },
    { role: 'user', content: 'And tomorrow?' },
  ],
  maxTokens: 256,
  temperature: 0.5,
  stop: ['END'],
  tools: [{ name: 'get_weather', description: 'Current weather', parameters: TOOL_SCHEMA }],
  toolChoice: 'auto',
  user: 'u-7',
};

export const OPENAI_REQUEST = {
  model: 'm-1',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '18C sunny' },
    { role: 'assistant', content: 'It is 18C and sunny.' },
    { role: 'user', content: 'And tomorrow?' },
  ],
  max_tokens: 256,
  temperature: 0.5,
  stop: 'END',
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: TOOL_SCHEMA } }],
  tool_choice: 'auto',
  user: 'u-7',
};

export const ANTHROPIC_REQUEST = {
  model: 'm-1',
  system: [{ type: 'text', text: 'You are terse.' }],
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: '18C sunny' }] }] },
    { role: 'assistant', content: 'It is 18C and sunny.' },
    { role: 'user', content: 'And tomorrow?' },
  ],
  max_tokens: 256,
  temperature: 0.5,
  stop_sequences: ['END'],
  tools: [{ name: 'get_weather', description: 'Current weather', input_schema: TOOL_SCHEMA }],
  tool_choice: { type: 'auto' },
  metadata: { user_id: 'u-7' },
};

/** An answer with text and a tool call. */
export const CANONICAL_RESPONSE: ChatResponse = {
  id: 'resp_1',
  model: 'm-1',
  content: 'Checking.',
  toolCalls: [{ id: 'call_2', name: 'get_weather', arguments: '{"city":"Lyon"}' }],
  finishReason: 'tool_calls',
  usage: { inputTokens: 40, outputTokens: 12 },
  created: 1_700_000_000,
};

export const OPENAI_RESPONSE = {
  id: 'resp_1', object: 'chat.completion', created: 1_700_000_000, model: 'm-1',
  choices: [{
    index: 0, finish_reason: 'tool_calls',
    message: { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }] },
  }],
  usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
};

export const ANTHROPIC_RESPONSE = {
  id: 'resp_1', type: 'message', role: 'assistant', model: 'm-1',
  content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Lyon' } }],
  stop_reason: 'tool_use', stop_sequence: null,
  usage: { input_tokens: 40, output_tokens: 12 },
};

/** The same answer streamed. */
export const CANONICAL_EVENTS: StreamEvent[] = [
  { type: 'start', id: 'resp_1', model: 'm-1' },
  { type: 'text', text: 'Check' },
  { type: 'text', text: 'ing.' },
  { type: 'tool_call_start', index: 0, id: 'call_2', name: 'get_weather' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '"Lyon"}' },
  { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 40, outputTokens: 12 } },
];

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'resp_1', object: 'chat.completion.chunk', created: 1, model: 'm-1', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

export const OPENAI_SSE =
  chunk({ role: 'assistant', content: '' }) +
  chunk({ content: 'Check' }) +
  ': keep-alive comment\n\n' +
  chunk({ content: 'ing.' }) +
  chunk({ tool_calls: [{ index: 0, id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) +
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) +
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Lyon"}' } }] }) +
  chunk({}, 'tool_calls') +
  `data: ${JSON.stringify({ id: 'resp_1', object: 'chat.completion.chunk', created: 1, model: 'm-1', choices: [], usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 } })}\n\n` +
  'data: [DONE]\n\n';

const ev = (name: string, data: object) => `event: ${name}\r\ndata: ${JSON.stringify({ type: name, ...data })}\r\n\r\n`;

export const ANTHROPIC_SSE =
  ev('message_start', { message: { id: 'resp_1', type: 'message', role: 'assistant', model: 'm-1', content: [], stop_reason: null, usage: { input_tokens: 40, output_tokens: 1 } } }) +
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
  ev('ping', {}) +
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Check' } }) +
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'ing.' } }) +
  ev('content_block_stop', { index: 0 }) +
  ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} } }) +
  ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } }) +
  ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '"Lyon"}' } }) +
  ev('content_block_stop', { index: 1 }) +
  ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 12 } }) +
  ev('message_stop', {});
