/**
 * The Vercel AI SDK's default OpenAI provider (`openai('…')` is the Responses API) and its
 * embedding model through the gateway, over real sockets against a recording upstream: the
 * upstream gets the SDK's body as sent, the SDK gets the upstream's answer unchanged, and a
 * primary outage fails over.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { embedMany, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectPassedThrough, recordingFetch, usePassThroughStack } from './recording-proxy.js';

const suite = usePassThroughStack();
const seen = suite.seen;
let openai: ReturnType<typeof createOpenAI>;
beforeEach(() => {
  openai = createOpenAI({ baseURL: `${suite.stack.gateway.url}/v1`, apiKey: 'sk-client-key', fetch: recordingFetch(seen) });
});

describe('Vercel AI SDK through the gateway', () => {
  it('generateText with the default provider goes to /v1/responses and passes through', async () => {
    const result = await generateText({ model: openai('gpt-4o'), system: 'be brief', prompt: 'echo: hello from the AI SDK', maxRetries: 0 });
    expect(result.text).toBe('hello from the AI SDK');
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/responses');
  });

  it('streamText relays the Responses event stream unchanged', async () => {
    const result = streamText({ model: openai('gpt-4o'), prompt: 'echo: streamed to the AI SDK', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('streamed to the AI SDK');
    expect((await result.usage).inputTokens).toBeGreaterThan(0);
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/responses');
  });

  it('a tool call fails over to the secondary when the primary is down; the tool result turn follows', async () => {
    suite.stack.mock.patchProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    const inputs: unknown[] = [];
    const result = await generateText({
      model: openai('gpt-4o'),
      prompt: 'use tool get_weather for Paris',
      tools: {
        get_weather: tool({
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
          execute: async (input) => {
            inputs.push(input);
            return { celsius: 21 };
          },
        }),
      },
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    });
    expect(inputs).toEqual([{ city: 'mock' }]);
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0].response.headers?.['x-bulwark-served-by']).toBe('secondary-gpt');
    expect(result.text).toContain('via secondary');
    expect(suite.stack.recorder.to('/v1/responses').filter((c) => c.path.startsWith('/deployments/primary/')).every((c) => c.status === 503)).toBe(true);
    const secondary = suite.stack.recorder.to('/v1/responses').filter((c) => c.path.startsWith('/deployments/secondary/'));
    expect(secondary.map((c) => c.body.toString('utf8'))).toEqual(seen.filter((c) => c.url.endsWith('/v1/responses')).map((c) => c.body));
  });

  it('embedMany passes through to /v1/embeddings', async () => {
    const { embeddings } = await embedMany({ model: openai.embedding('text-embedding-3-small'), values: ['one', 'two'], maxRetries: 0 });
    expect(embeddings).toHaveLength(2);
    expect(embeddings[0]).toHaveLength(1536);
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/embeddings');
  });
});
