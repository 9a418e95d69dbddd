/** The Responses relay hands the stream on byte for byte and observes what the router needs. */
import { describe, expect, it } from 'vitest';
import { buildReply, type MockTurn } from '../../../chaos/mock/answer.js';
import { MockState } from '../../../chaos/mock/mock-state.js';
import { openaiResponsesWire } from '../../../chaos/mock/openai-responses-wire.js';
import { LlmError } from '../../errors.js';
import { ResponsesRelay } from './relay.js';

const context = (keepAnswer = false) => ({
  options: { trackText: false, keepAnswer }, includeUsage: false, stripUsage: false, continueOn: () => undefined,
});

function mockStream(body: Record<string, unknown>): Buffer {
  const state = new MockState();
  const turn = openaiResponsesWire.parse({ model: 'gpt-4o', stream: true, ...body }, { deployment: 'a', state, models: [] }) as MockTurn;
  const ids = { id: 'mock_7', created: 1_700_000_000 };
  return Buffer.from(openaiResponsesWire.streamEvents(turn, buildReply(turn, 'a', 'call_mock_7'), ids).join(''));
}

/** Feeds `bytes` in pieces of `size`, returning what was relayed. */
function relayAll(relay: ResponsesRelay, bytes: Buffer, size: number): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(...relay.push(bytes.subarray(at, at + size)));
  out.push(...relay.end());
  return Buffer.concat(out);
}

describe('ResponsesRelay', () => {
  it.each([1, 7, 64, 100_000])('relays the stream unchanged in chunks of %i bytes; sees id, usage and the end', (size) => {
    const bytes = mockStream({ input: 'echo: one two three' });
    const relay = new ResponsesRelay(context(true));
    const ids: string[] = [];
    relay.onResponseId = (id) => ids.push(id);
    expect(relayAll(relay, bytes, size).equals(bytes)).toBe(true);
    expect(ids).toEqual(['resp_mock_7']);
    expect(relay.started && relay.finished).toBe(true);
    expect(relay.usage).toEqual({ inputTokens: 5, outputTokens: 4 });
    expect(relay.answer()!.body.equals(bytes)).toBe(true);
    expect(relay.hasToolCalls).toBe(false);
  });

  it('notes a function call (such a stream is never continued elsewhere)', () => {
    const bytes = mockStream({ input: 'use tool f', tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] });
    const relay = new ResponsesRelay(context());
    relayAll(relay, bytes, 50);
    expect(relay.hasToolCalls).toBe(true);
    expect(relay.continueOn()).toBeUndefined();
  });

  it('a stream cut before response.completed is a connection error; response.failed and error events are errors', () => {
    const bytes = mockStream({ input: 'echo: cut short' });
    const cut = new ResponsesRelay(context());
    cut.push(bytes.subarray(0, bytes.indexOf('response.completed')));
    expect(() => cut.end()).toThrow(expect.objectContaining({ kind: 'connection' }));

    const failed = new ResponsesRelay(context());
    failed.push(bytes.subarray(0, bytes.indexOf('event: response.output_item.added')));
    const failure = 'event: response.failed\ndata: {"type":"response.failed","response":{"id":"resp_mock_7","error":{"code":"server_error","message":"boom"}}}\n\n';
    expect(() => failed.push(Buffer.from(failure))).toThrow(LlmError);
    expect(failed.started).toBe(false);

    const error = new ResponsesRelay(context());
    expect(() => error.push(Buffer.from('event: error\ndata: {"type":"error","code":"rate_limit_exceeded","message":"slow down"}\n\n'))).toThrow(expect.objectContaining({ kind: 'rate_limited' }));
  });

  it('reads event types from the data when a server omits the event: lines', () => {
    const bytes = Buffer.from(mockStream({ input: 'echo: nameless' }).toString('utf8').replace(/^event: .*\n/gm, ''));
    const relay = new ResponsesRelay(context());
    expect(relayAll(relay, bytes, 33).equals(bytes)).toBe(true);
    expect(relay.finished).toBe(true);
    expect(relay.usage?.outputTokens).toBeGreaterThan(0);
  });
});
