/**
 * LangChain's `ChatOpenAI` (Chat Completions and `useResponsesApi`) and `OpenAIEmbeddings`
 * through the gateway, over real sockets against a recording upstream: the upstream gets
 * LangChain's body as sent, LangChain gets the upstream's answer unchanged.
 */
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { expectPassedThrough, recordingFetch, usePassThroughStack } from './recording-proxy.js';

const suite = usePassThroughStack();
const seen = suite.seen;

const configuration = () => ({ baseURL: `${suite.stack.gateway.url}/v1`, fetch: recordingFetch(seen) });
const textOf = (content: unknown) => (typeof content === 'string' ? content : (content as Array<{ text?: string }>).map((part) => part.text ?? '').join(''));

describe('LangChain through the gateway', () => {
  it('ChatOpenAI with useResponsesApi: invoke and stream pass through /v1/responses', async () => {
    const model = new ChatOpenAI({ model: 'gpt-4o', apiKey: 'sk-client-key', configuration: configuration(), useResponsesApi: true, maxRetries: 0 });
    const answer = await model.invoke('echo: langchain on responses');
    expect(textOf(answer.content)).toBe('langchain on responses');
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/responses');

    suite.stack.recorder.calls.length = 0;
    let text = '';
    for await (const chunk of await model.stream('echo: langchain streamed')) text += textOf(chunk.content);
    expect(text).toBe('langchain streamed');
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/responses');
  });

  it('ChatOpenAI on Responses fails over to the secondary when the primary is down', async () => {
    suite.stack.mock.patchProfile({ deployments: { primary: { errors: { '503': 1 } } } });
    const model = new ChatOpenAI({ model: 'gpt-4o', apiKey: 'sk-client-key', configuration: configuration(), useResponsesApi: true, maxRetries: 0 });
    const answer = await model.invoke('which deployment?');
    expect(textOf(answer.content)).toContain('via secondary');
  });

  it('OpenAIEmbeddings passes through /v1/embeddings', async () => {
    const embeddings = new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: 'sk-client-key', configuration: configuration(), maxRetries: 0 });
    const vector = await embeddings.embedQuery('a query');
    expect(vector).toHaveLength(1536);
    await expectPassedThrough(suite.stack.recorder, seen, '/v1/embeddings');
  });
});
