import { describe, expect, it } from 'vitest';
import { CONTINUATION_INSTRUCTION } from '../../defaults.js';
import type { ChatRequest } from '../../types.js';
import { buildContinuation } from './continuation.js';

const original: ChatRequest = { model: 'route', system: 's', messages: [{ role: 'user', content: 'tell me' }], maxTokens: 100 };

describe('buildContinuation', () => {
  it('Anthropic dialect: the partial answer becomes a prefill, trailing whitespace trimmed and reported', () => {
    const { request, trimmed } = buildContinuation(original, 'Once upon a ', 'anthropic', 'claude-x');
    expect(request).toEqual({ ...original, model: 'claude-x', messages: [original.messages[0], { role: 'assistant', content: 'Once upon a' }] });
    expect(trimmed).toBe(' ');
  });

  it('OpenAI dialect: the partial answer plus a continuation instruction', () => {
    const { request, trimmed } = buildContinuation(original, 'Once upon a ', 'openai', 'gpt-x');
    expect(request.messages).toEqual([
      original.messages[0],
      { role: 'assistant', content: 'Once upon a ' },
      { role: 'user', content: CONTINUATION_INSTRUCTION },
    ]);
    expect(request.model).toBe('gpt-x');
    expect(trimmed).toBe('');
  });

  it('with no (or only whitespace) partial text, asks the original question again', () => {
    expect(buildContinuation(original, '', 'openai', 'm').request).toEqual({ ...original, model: 'm' });
    expect(buildContinuation(original, '  ', 'anthropic', 'm')).toEqual({ request: { ...original, model: 'm' }, trimmed: '  ' });
  });

  it('never mutates the original request', () => {
    const before = structuredClone(original);
    buildContinuation(original, 'abc', 'anthropic', 'm');
    expect(original).toEqual(before);
  });
});
