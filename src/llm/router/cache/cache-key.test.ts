import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../types.js';
import { cacheKey, stableStringify } from './cache-key.js';

const base: ChatRequest = {
  model: 'gpt-4',
  system: 'be brief',
  messages: [{ role: 'user', content: 'hello' }],
  temperature: 0,
  maxTokens: 50,
};

describe('cacheKey', () => {
  it('is the same for equal requests and independent of object key order', () => {
    const reordered: ChatRequest = { maxTokens: 50, temperature: 0, messages: [{ content: 'hello', role: 'user' }], system: 'be brief', model: 'gpt-4' };
    expect(cacheKey('gpt-4', base, 't1')).toBe(cacheKey('gpt-4', reordered, 't1'));
  });

  it('differs per tenant, so one tenant never reads another tenant\'s answer', () => {
    expect(cacheKey('gpt-4', base, 'acme')).not.toBe(cacheKey('gpt-4', base, 'globex'));
  });

  it.each<[string, Partial<ChatRequest>]>([
    ['system', { system: 'be long' }],
    ['messages', { messages: [{ role: 'user', content: 'hello!' }] }],
    ['temperature', { temperature: 0.7 }],
    ['maxTokens', { maxTokens: 51 }],
    ['topP', { topP: 0.9 }],
    ['stop', { stop: ['\n'] }],
    ['seed', { seed: 7 }],
    ['tools', { tools: [{ name: 'f', parameters: { type: 'object' } }] }],
    ['toolChoice', { toolChoice: 'required' }],
  ])('changes when %s changes', (_field, change) => {
    expect(cacheKey('gpt-4', { ...base, ...change }, 't')).not.toBe(cacheKey('gpt-4', base, 't'));
  });

  it('differs per route and ignores the end-user id', () => {
    expect(cacheKey('gpt-4', base, 't')).not.toBe(cacheKey('claude', base, 't'));
    expect(cacheKey('gpt-4', { ...base, user: 'u1' }, 't')).toBe(cacheKey('gpt-4', base, 't'));
  });

  it('sorts nested keys (tool JSON Schemas)', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });
});
