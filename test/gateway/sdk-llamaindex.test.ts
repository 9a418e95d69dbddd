/**
 * LlamaIndex's `OpenAIResponses` LLM and `OpenAIEmbedding` through the gateway, over real
 * sockets against a recording upstream: the upstream gets LlamaIndex's body as sent and
 * LlamaIndex gets the upstream's answer unchanged.
 */
import { OpenAIEmbedding, OpenAIResponses } from '@llamaindex/openai';
import { describe, expect, it } from 'vitest';
import { expectPassedThrough, recordingFetch, usePassThroughStack } from './recording-proxy.js';

const suite = usePassThroughStack();
const seen = suite.seen;

const session = () => ({ baseURL: `${suite.stack.gateway.url}/v1`, apiKey: 'sk-client-key', maxRetries: 0, additionalSessionOptions: { fetch: recordingFetch(seen) } });

describe('LlamaIndex through the gateway', () => {
  it('OpenAIResponses: chat and streamed chat pass through /v1/responses', async () => {
    const llm = new OpenAIResponses({ model: 'gpt-4o', ...session() });
    const answer = await llm.chat({ messages: [{ role: 'user', content: 'echo: llamaindex responses' }] });
    expect(answer.message.content).toBe('llamaindex responses');
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/responses');

    suite.stack.recorder.calls.length = 0;
    let text = '';
    // LlamaIndex yields one chunk per upstream event and repeats the last delta on the events
    // after it (output_text.done…): only the delta events' chunks carry new text.
    for await (const chunk of await llm.chat({ messages: [{ role: 'user', content: 'echo: llamaindex streamed' }], stream: true })) {
      if ((chunk.raw as { type?: string }).type === 'response.output_text.delta') text += chunk.delta;
    }
    expect(text).toBe('llamaindex streamed');
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/responses');
  });

  it('OpenAIEmbedding passes through /v1/embeddings', async () => {
    const embedding = new OpenAIEmbedding({ model: 'text-embedding-3-small', ...session() });
    const vector = await embedding.getTextEmbedding('a passage');
    expect(vector).toHaveLength(1536);
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/embeddings');
  });
});
