import { describe, expect, it } from 'vitest';
import { answerText, buildReply, shortHash, splitForStream, tokensOf, type MockTurn } from './answer.js';

const turn = (over: Partial<MockTurn> = {}): MockTurn => ({
  model: 'gpt-4o',
  stream: false,
  includeUsage: false,
  lastUserText: 'hello there',
  endsWithUserText: true,
  promptChars: 11,
  tools: [],
  forcedTool: undefined,
  ...over,
});

describe('mock answers', () => {
  it('are derived from the model, the deployment and the last user message', () => {
    expect(shortHash('hello there')).toMatch(/^[0-9a-f]{8}$/);
    expect(shortHash('hello there')).not.toBe(shortHash('hello there!'));
    expect(answerText(turn(), undefined)).toBe(`mock answer from gpt-4o: ${shortHash('hello there')}`);
    expect(answerText(turn(), 'primary')).toBe(`mock answer from gpt-4o via primary: ${shortHash('hello there')}`);
    expect(answerText(turn({ lastUserText: 'echo:  the exact words ' }), 'x')).toBe('the exact words');
  });

  it('count tokens as characters / 4, at least 1', () => {
    expect(tokensOf(0)).toBe(1);
    expect(tokensOf(4)).toBe(1);
    expect(tokensOf(5)).toBe(2);
    const reply = buildReply(turn({ promptChars: 400 }), undefined, 'call_1');
    expect(reply.promptTokens).toBe(100);
    expect(reply.completionTokens).toBe(Math.ceil(reply.text!.length / 4));
  });

  it('call a tool when asked to, with arguments filled from its schema', () => {
    const tools = [
      { name: 'search', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
      { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' }, unit: { enum: ['c', 'f'] }, exact: { type: 'boolean' } }, required: ['city', 'days', 'unit', 'exact'] } },
    ];
    expect(buildReply(turn({ tools }), undefined, 'call_1').toolCall).toBeNull();
    const first = buildReply(turn({ tools, lastUserText: 'please Use Tool now' }), undefined, 'call_1');
    expect(first.toolCall).toEqual({ id: 'call_1', name: 'search', arguments: '{"q":"mock"}' });
    const named = buildReply(turn({ tools, lastUserText: 'use tool get_weather' }), undefined, 'call_2');
    expect(JSON.parse(named.toolCall!.arguments)).toEqual({ city: 'mock', days: 1, unit: 'c', exact: true });
    // After the tool answered, the conversation no longer ends with user text: answer in text.
    expect(buildReply(turn({ tools, lastUserText: 'use tool', endsWithUserText: false }), undefined, 'c').toolCall).toBeNull();
    expect(buildReply(turn({ tools, forcedTool: 'get_weather' }), undefined, 'c').toolCall!.name).toBe('get_weather');
    expect(buildReply(turn({ tools, forcedTool: 'any' }), undefined, 'c').toolCall!.name).toBe('search');
  });

  it('split stream pieces that join back to the text', () => {
    const text = 'mock answer from gpt-4o: 0123abcd';
    expect(splitForStream(text)).toEqual(['mock', ' answer', ' from', ' gpt-4o:', ' 0123abcd']);
    expect(splitForStream(text).join('')).toBe(text);
    expect(splitForStream('')).toEqual(['']);
  });
});
