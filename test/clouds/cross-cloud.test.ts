/**
 * Cross-cloud failover end to end: the official `openai` SDK streams through a gateway route
 * OpenAI → Bedrock → Gemini (then cache, default) whose deployments are served by the embedded
 * mock over real sockets — the mock speaks each provider's own wire (SSE; AWS event-stream
 * frames; Gemini's SSE chunks). Failing the first two vendors moves the answer to the third.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { shortHash } from '../../src/chaos/mock/answer.js';
import { startTestGateway } from '../gateway/helpers.js';

const yaml = `
server: { port: 0 }
logging: { level: warn }
mocks:
  m: { profile: healthy }
providers:
  openai: { type: openai, mock: { name: m, deployment: openai } }
  bedrock-us: { type: bedrock, region: us-east-1, mock: { name: m, deployment: bedrock } }
  vertex-eu: { type: vertex, project: demo, region: europe-west4, mock: { name: m, deployment: vertex } }
modelGroups:
  gpt4o: { deployments: [ { id: openai-gpt-4o, provider: openai, model: gpt-4o } ] }
  claude-bedrock: { deployments: [ { id: bedrock-claude, provider: bedrock-us, model: anthropic.claude-sonnet-4-20250514-v1:0 } ] }
  gemini-vertex: { deployments: [ { id: vertex-gemini, provider: vertex-eu, model: gemini-2.5-pro } ] }
routes:
  - { name: assistant, chain: [gpt4o, claude-bedrock, gemini-vertex], defaultResponse: "Sorry, try again later." }
policies:
  retry: { maxAttempts: 1 }
  breaker: { failureThreshold: 1000 }
`;

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.shutdown(0);
  gateway = undefined;
});

const client = (g: Gateway) => new OpenAI({ baseURL: `${g.url}/v1`, apiKey: 'unused', maxRetries: 0 });

async function streamText(g: Gateway, content: string): Promise<{ text: string; servedBy: string | null; finish: string | null }> {
  const { data, response } = await client(g).chat.completions
    .create({ model: 'assistant', messages: [{ role: 'user', content }], stream: true })
    .withResponse();
  let text = '';
  let finish: string | null = null;
  for await (const chunk of data) {
    text += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  return { text, servedBy: response.headers.get('x-bulwark-served-by'), finish };
}

describe('cross-cloud failover (OpenAI → Bedrock → Gemini on Vertex)', () => {
  it('streams from each vendor in turn as the ones before it fail', async () => {
    gateway = await startTestGateway(yaml);
    const mock = gateway.mock('m')!;

    const healthy = await streamText(gateway, 'hello');
    expect(healthy).toEqual({ text: `mock answer from gpt-4o via openai: ${shortHash('hello')}`, servedBy: 'openai-gpt-4o', finish: 'stop' });

    mock.setProfile({ deployments: { openai: { errors: { '503': 1 } } } });
    const onBedrock = await streamText(gateway, 'hello again');
    expect(onBedrock.servedBy).toBe('bedrock-claude');
    expect(onBedrock.text).toBe(`mock answer from anthropic.claude-sonnet-4-20250514-v1:0 via bedrock: ${shortHash('hello again')}`);
    expect(onBedrock.finish).toBe('stop');

    mock.setProfile({ deployments: { openai: { errors: { '503': 1 } }, bedrock: { errors: { '429': 1 } } } });
    const onGemini = await streamText(gateway, 'third time');
    expect(onGemini.servedBy).toBe('vertex-gemini');
    expect(onGemini.text).toBe(`mock answer from gemini-2.5-pro via vertex: ${shortHash('third time')}`);
    expect(onGemini.finish).toBe('stop');
  });

  it('non-streaming answers and tool calls cross the clouds with nothing lost', async () => {
    gateway = await startTestGateway(yaml);
    gateway.mock('m')!.setProfile({ deployments: { openai: { errors: { '500': 1 } } } });
    const completion = await client(gateway).chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'weather in Paris? use tool' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
    });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    const call = completion.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'mock' });
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });
});
