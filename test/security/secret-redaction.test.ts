import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { ScriptedUpstream, isAnthropic, normalStream, sse, type SeenRequest } from './scripted-upstream.js';
import { CANARIES, TENANT_A_KEY, TENANT_B_KEY, post, startGatewayUnderTest } from './gateway-under-test.js';

/** The key the upstream was called with (it echoes it back, as real providers do on a 401). */
function keyOf(seen: SeenRequest): string {
  return String(seen.headers['x-api-key'] ?? String(seen.headers.authorization ?? '').replace(/^Bearer /, ''));
}

function errorBody(seen: SeenRequest, type: string): object {
  const message = `Incorrect API key provided: ${keyOf(seen)}. You can find your API key at https://example.invalid.`;
  return isAnthropic(seen) ? { type: 'error', error: { type, message } } : { error: { message, type, code: 'invalid_api_key', param: null } };
}

/** Every way an upstream can hand the key back. */
const FAILURES: Record<string, (seen: SeenRequest, res: ServerResponse) => void> = {
  'an HTTP error answer': (seen, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify(errorBody(seen, isAnthropic(seen) ? 'api_error' : 'server_error')));
  },
  'an error event before the first token': (seen, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(isAnthropic(seen) ? sse('error', errorBody(seen, 'api_error')) : sse(undefined, errorBody(seen, 'server_error')));
  },
  'an error event after the first token': (seen, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const events = normalStream(seen);
    const head = isAnthropic(seen) ? events.slice(0, 3) : events.slice(0, 2);
    for (const e of head) res.write(e);
    res.end(isAnthropic(seen) ? sse('error', errorBody(seen, 'overloaded_error')) : sse(undefined, errorBody(seen, 'server_error')));
  },
  'the key inside an answer': (seen, res) => {
    // A misbehaving upstream (or a proxy in front of it) that puts the key in a normal answer.
    const events = normalStream(seen).map((e) => e.replace('hello', `your key is ${keyOf(seen)}`));
    if (seen.body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of events) res.write(e);
      res.end();
      return;
    }
    const text = `your key is ${keyOf(seen)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(isAnthropic(seen)
      ? { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } }
      : { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
  },
};

const CLIENTS = {
  openai: (model: string, stream: boolean) => ({ path: '/v1/chat/completions', body: { model, stream, messages: [{ role: 'user', content: 'hi' }] } }),
  anthropic: (model: string, stream: boolean) => ({ path: '/v1/messages', body: { model, stream, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] } }),
};

// Defect 3 of issue 13: no configured secret leaves the process, whatever the upstream does.
// Canary provider keys are echoed by the upstream on every answer path; every byte the client
// gets (status line, headers, body, stream events) and every log line is searched for them.
describe('security: canary provider keys never reach a client or a log', () => {
  let upstream: ScriptedUpstream;
  let gateway: Gateway;
  let logLines: string[];

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    ({ gateway, logLines } = await startGatewayUnderTest(upstream.url, '', 1_000_000));
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await upstream.close();
  });

  const cases = Object.keys(FAILURES).flatMap((failure) => (['openai', 'anthropic'] as const).flatMap((client) =>
    (['gpt-4', 'claude-sonnet'] as const).flatMap((model) => [false, true].map((stream) => [failure, client, model, stream] as const))));

  it.each(cases)('%s: %s client, route %s, stream %s', async (failure, client, model, stream) => {
    upstream.reply = FAILURES[failure];
    const { path, body } = CLIENTS[client](model, stream);
    const calls = upstream.count();
    const res = await post(gateway, path, failure === 'the key inside an answer' ? TENANT_B_KEY : TENANT_A_KEY, { ...body, messages: [{ role: 'user', content: `${failure} ${client} ${model} ${stream}` }] });
    const headers: string[] = [];
    res.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
    const everything = `${res.status} ${headers.join('\n')}\n${await res.text()}`;
    expect(upstream.count()).toBeGreaterThan(calls); // the upstream was called: its echo reached the gateway
    for (const canary of CANARIES) expect(everything).not.toContain(canary);
    if (failure === 'the key inside an answer') {
      expect(res.status).toBe(200);
      expect(everything).toContain('your key is [redacted]'); // the answer arrived, minus the key
    } else if (stream && failure !== 'an HTTP error answer') {
      expect(everything).toMatch(/"error"/); // the stream ended with the dialect's error event
    } else expect(res.status).toBeGreaterThanOrEqual(500);
  });

  it('keeps canaries (and tenant keys) out of every log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const log = logLines.join('');
    for (const secret of [...CANARIES, TENANT_A_KEY, TENANT_B_KEY]) expect(log).not.toContain(secret);
  });
});
