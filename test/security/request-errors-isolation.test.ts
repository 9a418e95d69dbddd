import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { ScriptedUpstream, answerNormally } from './scripted-upstream.js';
import { TENANT_A_KEY, TENANT_B_KEY, breakerStates, post, startGatewayUnderTest } from './gateway-under-test.js';

/** A tool call whose `arguments` string holds a JSON object nested `depth` levels deep. */
function poisonBody(depth: number, stream: boolean) {
  const args = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return {
    model: 'claude-sonnet',
    stream,
    messages: [
      { role: 'user', content: 'call the tool' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: args } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      { role: 'user', content: 'and now?' },
    ],
  };
}

// Defect 1 of issue 13: only what the upstream did counts against a deployment. A request that
// cannot be sent (here: a tool call's arguments nest thousands of levels deep, which the
// Anthropic codec cannot re-encode) is that request's 400, and moves no breaker, outlier
// detector or health state: tenant B keeps being served by the primary.
describe('security: one tenant\'s poison requests never take a deployment down for another', () => {
  let upstream: ScriptedUpstream;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    ({ gateway } = await startGatewayUnderTest(upstream.url));
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await upstream.close();
  });
  beforeEach(() => {
    upstream.reply = answerNormally;
  });

  it.each([false, true])('answers 400 to each poison request (stream: %s) without calling the upstream', async (stream) => {
    const before = upstream.count('/messages');
    for (let i = 0; i < 5; i++) {
      const res = await post(gateway, '/v1/chat/completions', TENANT_A_KEY, poisonBody(6000, stream));
      expect(res.status).toBe(400);
      const json = await res.json() as { error: { type: string; message: string; param: string | null } };
      expect(json.error.type).toBe('invalid_request_error');
      expect(json.error.message).toMatch(/nest/i);
      expect(json.error.param).toBe('messages[1].tool_calls[0].function.arguments');
    }
    expect(upstream.count('/messages') - before).toBe(0);
    const states = await breakerStates(gateway);
    expect(states['primary-sonnet']).toBe('closed');
    expect(states['secondary-haiku']).toBe('closed');
  });

  it('keeps tenant B served by the primary, with no outlier ejection and a passing health check', async () => {
    for (let i = 0; i < 5; i++) await post(gateway, '/v1/chat/completions', TENANT_A_KEY, poisonBody(6000, i % 2 === 0));
    for (let i = 0; i < 3; i++) {
      const res = await post(gateway, '/v1/messages', TENANT_B_KEY, { model: 'claude-sonnet', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-bulwark-served-by')).toBe('primary-sonnet');
      const openai = await post(gateway, '/v1/chat/completions', TENANT_B_KEY, { model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] });
      expect(openai.status).toBe(200);
      expect(openai.headers.get('x-bulwark-served-by')).toBe('primary-sonnet');
    }
    const health = await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${TENANT_B_KEY}` } });
    const report = await health.json() as { checks?: Record<string, { componentId?: string; status: string; output?: string }[]> };
    const sonnetChecks = Object.values(report.checks ?? {}).flat().filter((c) => c.componentId === 'primary-sonnet');
    expect(sonnetChecks.length).toBeGreaterThan(0);
    for (const check of sonnetChecks) expect(check.status).toBe('pass');
  });
});
