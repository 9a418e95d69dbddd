import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../types.js';
import { classifyBedrockError, classifyBedrockStreamException } from './bedrock-errors.js';
import { toConverseRequest } from './converse-request.js';
import { fromConverseResponse } from './converse-response.js';
import { ConverseStreamDecoder } from './converse-stream.js';
import { encodeEventStreamFrame, EventStreamDecoder } from './event-stream.js';

// Shapes follow the AWS Bedrock Runtime API reference for Converse / ConverseStream and the
// event-stream encoding of AWS's SDKs.

describe('canonical request → Converse', () => {
  it('carries system, turns, inline images, tool use (no-argument calls as {}), results and settings', () => {
    expect(toConverseRequest({
      model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image', data: 'AAAA', mediaType: 'image/jpeg' }] },
        { role: 'assistant', content: 'Calling', toolCalls: [{ id: 't1', name: 'now', arguments: '' }] },
        { role: 'tool', toolCallId: 't1', content: 'noon', isError: false },
        { role: 'user', content: 'thanks' },
      ],
      maxTokens: 50, temperature: 0.5, topP: 1, stop: ['X'],
      tools: [{ name: 'now', parameters: { type: 'object', properties: {} } }],
      toolChoice: 'required',
    })).toEqual({
      system: [{ text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ text: 'Look' }, { image: { format: 'jpeg', source: { bytes: 'AAAA' } } }] },
        { role: 'assistant', content: [{ text: 'Calling' }, { toolUse: { toolUseId: 't1', name: 'now', input: {} } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'noon' }] } }, { text: 'thanks' }] },
      ],
      inferenceConfig: { maxTokens: 50, temperature: 0.5, topP: 1, stopSequences: ['X'] },
      toolConfig: { tools: [{ toolSpec: { name: 'now', inputSchema: { json: { type: 'object', properties: {} } } } }], toolChoice: { any: {} } },
    });
  });

  it('refuses an image by URL, naming the part (Bedrock takes only inline bytes)', () => {
    expect(() => toConverseRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x/cat.png' }] }] }))
      .toThrow(/messages\[0\]\.content\[0\]/);
  });
});

describe('Converse answer → canonical', () => {
  it('reads reasoning, text, tool use, stop reason and usage with cache tokens as input, named as cached', () => {
    const body = {
      output: { message: { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 'Weather needs the tool.', signature: 'sig' } } }, { text: 'Let me check.' }, { toolUse: { toolUseId: 'tooluse_1', name: 'weather', input: { city: 'Paris' } } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42, cacheReadInputTokens: 100, cacheWriteInputTokens: 20 },
      metrics: { latencyMs: 321 },
    };
    expect(fromConverseResponse(body, 'claude', 'req-1', 5)).toEqual({
      id: 'req-1', model: 'claude', content: 'Let me check.', reasoning: 'Weather needs the tool.', finishReason: 'tool_calls', created: 5,
      usage: { inputTokens: 150, outputTokens: 12, cachedInputTokens: 100, cacheWriteInputTokens: 20 },
      toolCalls: [{ id: 'tooluse_1', name: 'weather', arguments: '{"city":"Paris"}' }],
    });
  });
});

function frames(...events: [string, unknown][]): Uint8Array {
  const parts = events.map(([type, payload]) => encodeEventStreamFrame('event', type, JSON.stringify(payload)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const answerFrames = frames(
  ['messageStart', { role: 'assistant', p: 'abc' }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Say hi.' } } }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'sig' } } }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'lo' } }],
  ['contentBlockStop', { contentBlockIndex: 0 }],
  ['contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu1', name: 'weather' } } }],
  ['contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }],
  ['contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } }],
  ['contentBlockStop', { contentBlockIndex: 1 }],
  ['messageStop', { stopReason: 'tool_use' }],
  ['metadata', { usage: { inputTokens: 9, outputTokens: 4, totalTokens: 13, cacheReadInputTokens: 3 }, metrics: { latencyMs: 100 } }],
);

function decodeAll(bytes: Uint8Array, chunkSize: number): StreamEvent[] {
  const framer = new EventStreamDecoder();
  const decoder = new ConverseStreamDecoder('claude', 'req-9');
  const events: StreamEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) {
    for (const message of framer.push(bytes.subarray(i, i + chunkSize))) events.push(...decoder.push(message));
  }
  events.push(...decoder.end());
  return events;
}

describe('ConverseStream (event-stream framing) → canonical events', () => {
  const expected: StreamEvent[] = [
    { type: 'start', id: 'req-9', model: 'claude' },
    { type: 'reasoning', text: 'Say hi.' },
    { type: 'text', text: 'Hel' },
    { type: 'text', text: 'lo' },
    { type: 'tool_call_start', index: 0, id: 'tu1', name: 'weather' },
    { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
    { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
    { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 12, outputTokens: 4, cachedInputTokens: 3 } },
  ];

  it.each([1, 7, 64, 100_000])('decodes the same events whatever the network chunk size (%i bytes)', (size) => {
    expect(decodeAll(answerFrames, size)).toEqual(expected);
  });

  it('a stream cut mid-frame never finishes: the half frame stays pending and end() is a connection error', () => {
    const cut = answerFrames.subarray(0, Math.floor(answerFrames.length * 0.6));
    const framer = new EventStreamDecoder();
    const decoder = new ConverseStreamDecoder('claude', 'r');
    const events = framer.push(cut).flatMap((m) => decoder.push(m));
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(framer.pending).toBe(true);
    expect(() => decoder.end()).toThrow(expect.objectContaining({ kind: 'connection' }));
  });

  it('a corrupted frame (bad CRC) is a malformed stream, not garbage text', () => {
    const bad = answerFrames.slice();
    bad[20] ^= 0xff;
    expect(() => new EventStreamDecoder().push(bad)).toThrow(expect.objectContaining({ kind: 'server_error' }));
  });

  it('an exception frame mid-stream is classified (throttling → rate_limited, model stream error → server_error)', () => {
    const framer = new EventStreamDecoder();
    const decoder = new ConverseStreamDecoder('claude', 'r');
    const bytes = encodeEventStreamFrame('exception', 'throttlingException', '{"message":"Too many tokens, please wait before trying again."}');
    expect(() => framer.push(bytes).forEach((m) => decoder.push(m))).toThrow(expect.objectContaining({ kind: 'rate_limited' }));
    expect(classifyBedrockStreamException('modelStreamErrorException', '{"message":"boom"}').kind).toBe('server_error');
  });
});

describe('Bedrock errors', () => {
  const header = (name: string) => ({ 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
  it.each([
    [429, 'ThrottlingException', 'Too many requests, please wait before trying again.', 'rate_limited'],
    [429, 'ModelNotReadyException', 'Model is not ready for inference.', 'rate_limited'],
    [503, 'ServiceUnavailableException', 'Service temporarily unavailable.', 'overloaded'],
    [408, 'ModelTimeoutException', 'Model timed out.', 'timeout'],
    [403, 'AccessDeniedException', 'You do not have access to the model.', 'auth'],
    [400, 'ValidationException', 'Input is too long for requested model.', 'context_length_exceeded'],
    [400, 'ValidationException', 'Malformed input request.', 'bad_request'],
    [500, 'InternalServerException', 'Internal error.', 'server_error'],
  ])('%i %s → %s', (status, name, message, kind) => {
    expect(classifyBedrockError(status, header(name), JSON.stringify({ message })).kind).toBe(kind);
  });

  it('honours Retry-After and redacts secrets', () => {
    const error = classifyBedrockError(429, { ...header('ThrottlingException'), 'retry-after': '3' }, '{"message":"key AKIACANARY123 throttled"}', { secrets: ['AKIACANARY123'], now: 0 });
    expect(error.retryAfterMs).toBe(3000);
    expect(error.message).not.toContain('AKIACANARY123');
  });
});
