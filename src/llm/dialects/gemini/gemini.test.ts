import { describe, expect, it } from 'vitest';
import { LlmError } from '../../errors.js';
import type { ChatRequest, StreamEvent } from '../../types.js';
import { classifyGeminiError, classifyGeminiStreamError, parseDuration } from './gemini-errors.js';
import { toGeminiRequest } from './gemini-request.js';
import { fromGeminiResponse } from './gemini-response.js';
import { GeminiStreamDecoder } from './gemini-stream.js';
import { toAnthropicResponse } from '../anthropic-response.js';
import { toOpenAIResponse } from '../openai-response.js';

// Shapes follow Google's documented REST examples for models.generateContent and
// models.streamGenerateContent (alt=sse) and the google.rpc error model.

describe('canonical request → Gemini generateContent', () => {
  it('carries system, turns, images, tools, tool results and generation settings', () => {
    const request: ChatRequest = {
      model: 'gemini-2.5-pro',
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image', data: 'iVBORw0K', mediaType: 'image/png' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"cat"}' }, { id: 'call_2', name: 'now', arguments: '' }] },
        { role: 'tool', toolCallId: 'call_1', content: 'a cat' },
        { role: 'tool', toolCallId: 'call_2', content: 'boom', isError: true },
      ],
      maxTokens: 100, temperature: 0.2, topP: 0.9, stop: ['END'], seed: 7,
      tools: [{ name: 'lookup', description: 'Look it up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
      toolChoice: { name: 'lookup' },
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' } },
    };
    expect(toGeminiRequest(request)).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'What is in this picture?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0K' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'cat' } } }, { functionCall: { name: 'now', args: {} } }] },
        { role: 'user', parts: [
          { functionResponse: { name: 'lookup', response: { content: 'a cat' } } },
          { functionResponse: { name: 'now', response: { error: 'boom' } } },
        ] },
      ],
      generationConfig: {
        maxOutputTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'], seed: 7,
        responseMimeType: 'application/json', responseJsonSchema: { type: 'object' },
      },
      tools: [{ functionDeclarations: [{ name: 'lookup', description: 'Look it up', parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] } },
    });
  });

  it('maps a reasoning effort to a thinking budget with thoughts included', () => {
    expect(toGeminiRequest({ model: 'm', reasoningEffort: 'low', messages: [{ role: 'user', content: 'hi' }] }).generationConfig)
      .toEqual({ thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } });
  });

  it('refuses a tool result that answers no earlier call, naming the message', () => {
    expect(() => toGeminiRequest({ model: 'm', messages: [{ role: 'tool', toolCallId: 'nope', content: 'x' }] }))
      .toThrow(/messages\[0\]\.tool_call_id/);
  });
});

describe('Gemini answer → canonical', () => {
  const answer = {
    candidates: [{
      content: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { text: 'Hello' }, { text: ' there' }] },
      finishReason: 'STOP', index: 0,
    }],
    usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 3, thoughtsTokenCount: 5, cachedContentTokenCount: 8, totalTokenCount: 20 },
    modelVersion: 'gemini-2.5-pro-002',
    responseId: 'resp-1',
  };

  it('reads text, thoughts as reasoning, usage with thought tokens as output and the cached prompt part, the model version', () => {
    expect(fromGeminiResponse(answer, 'gemini-2.5-pro', 1700000000)).toEqual({
      id: 'resp-1', model: 'gemini-2.5-pro-002', content: 'Hello there', reasoning: 'thinking…', finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 8, cachedInputTokens: 8 }, created: 1700000000,
    });
  });

  it('an OpenAI client reads the thoughts as reasoning_content and the cached part as cached_tokens; an Anthropic client as thinking and cache_read_input_tokens', () => {
    const response = fromGeminiResponse(answer, 'gemini-2.5-pro', 1);
    expect(toOpenAIResponse(response)).toMatchObject({
      choices: [{ message: { content: 'Hello there', reasoning_content: 'thinking…' } }],
      usage: { prompt_tokens: 12, prompt_tokens_details: { cached_tokens: 8 } },
    });
    expect(toAnthropicResponse(response)).toMatchObject({ content: [{ type: 'thinking', thinking: 'thinking…' }, { type: 'text', text: 'Hello there' }], usage: { cache_read_input_tokens: 8 } });
  });

  it('reads function calls as tool calls with JSON arguments', () => {
    const body = { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }] }, finishReason: 'STOP' }] };
    const response = fromGeminiResponse(body, 'g', 0);
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([{ id: 'call_0', name: 'lookup', arguments: '{"q":"x"}' }]);
  });

  it('maps MAX_TOKENS to length and SAFETY to content_filter', () => {
    const of = (finishReason: string) => fromGeminiResponse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason }] }, 'g', 0).finishReason;
    expect(of('MAX_TOKENS')).toBe('length');
    expect(of('SAFETY')).toBe('content_filter');
  });

  it('a blocked prompt is a content-policy refusal, not an empty answer', () => {
    const error = (() => {
      try {
        fromGeminiResponse({ promptFeedback: { blockReason: 'SAFETY' } }, 'g', 0);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).kind).toBe('content_filtered');
  });
});

describe('Gemini stream → canonical events', () => {
  const chunk = (value: unknown) => JSON.stringify(value);

  it('relays text deltas and a whole function call, finishing with usage at the end', () => {
    const decoder = new GeminiStreamDecoder('gemini-2.5-flash');
    const events: StreamEvent[] = [
      ...decoder.push(chunk({ candidates: [{ content: { role: 'model', parts: [{ text: 'Plan: greet.', thought: true }] } }], modelVersion: 'gemini-2.5-flash', responseId: 'r1' })),
      ...decoder.push(chunk({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] } }] })),
      ...decoder.push(chunk({ candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] } }] })),
      ...decoder.push(chunk({
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
      })),
      ...decoder.end(),
    ];
    expect(events).toEqual([
      { type: 'start', id: 'r1', model: 'gemini-2.5-flash' },
      { type: 'reasoning', text: 'Plan: greet.' },
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'tool_call_start', index: 0, id: 'call_0', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 4, outputTokens: 2 } },
    ]);
  });

  it('a stream cut before any finish reason is a connection error, never a finished answer', () => {
    const decoder = new GeminiStreamDecoder('g');
    decoder.push(chunk({ candidates: [{ content: { parts: [{ text: 'partial' }] } }] }));
    expect(() => decoder.end()).toThrow(expect.objectContaining({ kind: 'connection' }));
  });

  it('an error object inside the stream is classified (a 429 with its retry delay)', () => {
    const decoder = new GeminiStreamDecoder('g');
    expect(() => decoder.push(chunk({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'slow down' } })))
      .toThrow(expect.objectContaining({ kind: 'rate_limited' }));
    const error = classifyGeminiStreamError({ error: { code: 503, status: 'UNAVAILABLE', message: 'try later' } });
    expect(error.kind).toBe('overloaded');
  });
});

describe('Gemini errors', () => {
  const quota = {
    error: {
      code: 429,
      message: 'You exceeded your current quota, please check your plan and billing details.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
      ],
    },
  };

  it('RESOURCE_EXHAUSTED is a rate limit and honours RetryInfo.retryDelay', () => {
    const error = classifyGeminiError(429, {}, JSON.stringify(quota));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(37_000);
    expect(error.upstreamStatus).toBe(429);
  });

  it.each([
    [400, 'INVALID_ARGUMENT', 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', 'context_length_exceeded'],
    [400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.', 'bad_request'],
    [403, 'PERMISSION_DENIED', 'API key not valid.', 'auth'],
    [401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.', 'auth'],
    [500, 'INTERNAL', 'An internal error has occurred.', 'server_error'],
    [503, 'UNAVAILABLE', 'The model is overloaded.', 'overloaded'],
    [504, 'DEADLINE_EXCEEDED', 'Deadline expired.', 'timeout'],
  ])('%i %s → %s', (status, code, message, kind) => {
    expect(classifyGeminiError(status, {}, { error: { code: status, status: code, message } }).kind).toBe(kind);
  });

  it('blanks secrets the upstream echoes', () => {
    const error = classifyGeminiError(400, {}, { error: { code: 400, message: 'API key AIzaSyCANARY-secret-123 is invalid' } }, { secrets: ['AIzaSyCANARY-secret-123'] });
    expect(error.message).not.toContain('AIzaSyCANARY-secret-123');
  });

  it('parses protobuf durations', () => {
    expect(parseDuration('37s')).toBe(37_000);
    expect(parseDuration('0.5s')).toBe(500);
    expect(parseDuration('soon')).toBeUndefined();
  });
});
