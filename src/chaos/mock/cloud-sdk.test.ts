/**
 * Google's `@google/genai` and AWS's `@aws-sdk/client-bedrock-runtime`, pointed at the mock,
 * accept its Gemini and Bedrock answers, streams (SSE; AWS event-stream frames) and errors as if
 * it were the real service: the mock speaks those wire formats, not an approximation of them.
 */
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import { GoogleGenAI } from '@google/genai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import { shortHash } from './answer.js';
import { startMockProvider, type MockProvider } from './server.js';

let mock: MockProvider;
afterEach(() => mock?.close());

const gemini = (baseUrl: string) => new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl } });
// The client talks HTTP/2 by default (for bidirectional streams); the mock is HTTP/1.1, as
// ConverseStream allows.
const bedrock = (endpoint: string) => new BedrockRuntimeClient({
  endpoint, region: 'us-east-1', maxAttempts: 1, requestHandler: new NodeHttpHandler(),
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
});
const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

describe('@google/genai against the mock', () => {
  it('generateContent: the deterministic answer, usage and model version', async () => {
    mock = await startMockProvider();
    const result = await gemini(mock.deploymentUrl('eu')).models.generateContent({ model: 'gemini-2.5-pro', contents: 'What is a bulkhead?' });
    expect(result.text).toBe(`mock answer from gemini-2.5-pro via eu: ${shortHash('What is a bulkhead?')}`);
    expect(result.modelVersion).toBe('gemini-2.5-pro');
    expect(result.usageMetadata?.promptTokenCount).toBe(Math.ceil('What is a bulkhead?'.length / 4));
  });

  it('generateContentStream: chunks join into the answer, the last one has the finish reason', async () => {
    mock = await startMockProvider();
    const stream = await gemini(mock.url).models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'echo: three streamed words' });
    let text = '';
    let finish: string | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
    }
    expect(text).toBe('three streamed words');
    expect(finish).toBe('STOP');
  });

  it('function calling: a forced tool comes back as a functionCall with schema-filled args', async () => {
    mock = await startMockProvider();
    const result = await gemini(mock.url).models.generateContent({
      model: 'gemini-2.5-pro',
      contents: 'weather?',
      config: {
        tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: weather }] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY' as never } },
      },
    });
    expect(result.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'mock' } }]);
  });

  it('an injected 429 is RESOURCE_EXHAUSTED with a RetryInfo retryDelay', async () => {
    mock = await startMockProvider({ profile: { default: { errors: { '429': 1 } } } });
    const response = await fetch(`${mock.url}/v1beta/models/gemini-2.5-pro:generateContent`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(429);
    const body = await response.json() as { error: { status: string; details: { retryDelay: string }[] } };
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.details[0].retryDelay).toMatch(/^\d+s$/);
  });
});

describe('@aws-sdk/client-bedrock-runtime against the mock', () => {
  const messages = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

  it('Converse: the deterministic answer, stop reason and usage', async () => {
    mock = await startMockProvider();
    const out = await bedrock(mock.deploymentUrl('us-east-1')).send(new ConverseCommand({
      modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', messages: messages('What is a breaker?'),
    }));
    expect(out.output?.message?.content?.[0]?.text).toBe(`mock answer from anthropic.claude-3-5-sonnet-20240620-v1:0 via us-east-1: ${shortHash('What is a breaker?')}`);
    expect(out.stopReason).toBe('end_turn');
    expect(out.usage?.inputTokens).toBe(Math.ceil('What is a breaker?'.length / 4));
  });

  it('ConverseStream: AWS event-stream frames decode into deltas, stop and metadata', async () => {
    mock = await startMockProvider();
    const out = await bedrock(mock.url).send(new ConverseStreamCommand({ modelId: 'amazon.nova-pro-v1:0', messages: messages('echo: frames in order') }));
    let text = '';
    let stop: string | undefined;
    let usage: number | undefined;
    for await (const event of out.stream!) {
      text += event.contentBlockDelta?.delta?.text ?? '';
      stop = event.messageStop?.stopReason ?? stop;
      usage = event.metadata?.usage?.outputTokens ?? usage;
    }
    expect(text).toBe('frames in order');
    expect(stop).toBe('end_turn');
    expect(usage).toBeGreaterThan(0);
  });

  it('tool use: a forced tool comes back as toolUse with schema-filled input', async () => {
    mock = await startMockProvider();
    const out = await bedrock(mock.url).send(new ConverseCommand({
      modelId: 'amazon.nova-pro-v1:0', messages: messages('weather?'),
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: weather as never } } }], toolChoice: { any: {} } },
    }));
    expect(out.stopReason).toBe('tool_use');
    expect(out.output?.message?.content?.[0]?.toolUse).toMatchObject({ name: 'get_weather', input: { city: 'mock' } });
  });

  it('an injected 429 reaches the SDK as its own ThrottlingException', async () => {
    mock = await startMockProvider({ profile: { default: { errors: { '429': 1 } } } });
    const error = await bedrock(mock.url).send(new ConverseCommand({ modelId: 'amazon.nova-pro-v1:0', messages: messages('hi') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
  });
});
