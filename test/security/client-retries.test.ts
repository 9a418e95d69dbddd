import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/gateway/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { defaultRouterFactory } from '../../src/gateway/router-factory.js';
import { memoryLogger } from '../gateway/helpers.js';
import { ScriptedUpstream, isAnthropic } from './scripted-upstream.js';
import { ANTHROPIC_CANARY, OPENAI_CANARY, TENANT_A_KEY, securityConfigYaml } from './gateway-under-test.js';

const SDK_CALLS = 10;

// Defect 8 of issue 13 / issue 10 item 5: once the whole chain failed the answer tells the
// official SDKs not to retry (`x-should-retry: false`) and when to come back (`Retry-After`), so
// their default retries (2) do not multiply upstream load. Counted against a two-step chain
// whose every deployment answers 503 (gateway: one attempt per deployment, breaker after 5):
// every SDK call costs at most one upstream call per step, 2 (on main: 6, the SDK's 3 tries).
describe('security: client SDK retries against an all-down chain', () => {
  let upstream: ScriptedUpstream;
  let gateway: Gateway;

  beforeAll(async () => {
    upstream = await ScriptedUpstream.start();
    upstream.reply = (seen, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(isAnthropic(seen) ? { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } : { error: { message: 'unavailable', type: 'server_error', code: null, param: null } }));
    };
    const yaml = securityConfigYaml(upstream.url, '', 5);
    const config = parseConfig(yaml, { env: { OPENAI_KEY: OPENAI_CANARY, ANTHROPIC_KEY: ANTHROPIC_CANARY } });
    gateway = await Gateway.start({ config, createRouter: defaultRouterFactory, logger: memoryLogger('warn').logger });
  });
  afterAll(async () => {
    await gateway.shutdown(500);
    await upstream.close();
  });

  it(`the openai SDK (default retries): at most 2 upstream calls per SDK call, each of ${SDK_CALLS} calls`, async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: TENANT_A_KEY });
    const before = upstream.count('/chat/completions');
    const perCall: number[] = [];
    let last: unknown;
    for (let i = 0; i < SDK_CALLS; i++) {
      const start = upstream.count('/chat/completions');
      last = await client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: `down ${i}` }] }).catch((e: unknown) => e);
      perCall.push(upstream.count('/chat/completions') - start);
    }
    const total = upstream.count('/chat/completions') - before;
    console.log(`openai SDK, ${SDK_CALLS} calls against an all-down chain: ${total} upstream calls (${perCall.join(', ')})`);
    for (const calls of perCall) expect(calls).toBeLessThanOrEqual(2);
    expect(total / SDK_CALLS).toBeLessThanOrEqual(2);
    expect(last).toBeInstanceOf(OpenAI.APIError);
    const headers = (last as InstanceType<typeof OpenAI.APIError>).headers;
    expect(headers?.get('x-should-retry')).toBe('false');
    expect(Number(headers?.get('retry-after'))).toBeGreaterThan(0); // the breakers are open now: the soonest probe
    expect(headers?.get('request-id')).toBe(headers?.get('x-request-id'));
  });

  it(`the anthropic SDK (default retries): at most 2 upstream calls per SDK call, each of ${SDK_CALLS} calls`, async () => {
    const client = new Anthropic({ baseURL: gateway.url, apiKey: TENANT_A_KEY });
    const before = upstream.count('/messages');
    let last: unknown;
    const perCall: number[] = [];
    for (let i = 0; i < SDK_CALLS; i++) {
      const start = upstream.count('/messages');
      last = await client.messages.create({ model: 'claude-sonnet', max_tokens: 16, messages: [{ role: 'user', content: `down ${i}` }] }).catch((e: unknown) => e);
      perCall.push(upstream.count('/messages') - start);
    }
    const total = upstream.count('/messages') - before;
    console.log(`anthropic SDK, ${SDK_CALLS} calls against an all-down chain: ${total} upstream calls (${perCall.join(', ')})`);
    for (const calls of perCall) expect(calls).toBeLessThanOrEqual(2);
    expect(total / SDK_CALLS).toBeLessThanOrEqual(2);
    expect(last).toBeInstanceOf(Anthropic.APIError);
    const error = last as InstanceType<typeof Anthropic.APIError>;
    expect(error.requestID).toBeTruthy(); // the SDK reads `request-id`
    expect(error.headers?.get('x-should-retry')).toBe('false');
  });
});
