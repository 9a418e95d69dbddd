import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { DOWN, setFaults, startTestGateway } from './helpers.js';

// The official openai SDK pointed at the gateway: the answers must be exactly what it expects,
// and the x-bulwark-* headers must tell which step of the chain answered.
describe('gateway with the openai SDK', () => {
  let gateway: Gateway;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => gateway.shutdown(1000));
  beforeEach(() => gateway.mock('m')!.setProfile('healthy'));

  const ask = (content: string) => client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content }] }).withResponse();
  const askStream = (content: string) =>
    client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true } }).withResponse();

  async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
    let text = '';
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    return { text, finish, usage };
  }

  it('answers from the primary when it is healthy', async () => {
    const { data, response } = await ask('hello primary');
    expect(response.headers.get('x-bulwark-served-by')).toBe('primary-gpt4');
    expect(response.headers.get('x-bulwark-fallback-depth')).toBe('0');
    expect(response.headers.get('x-bulwark-degraded')).toBe('false');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{24}$/);
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.content).toContain('via primary');
    expect(data.choices[0].finish_reason).toBe('stop');
  });

  it('falls back to the secondary when the primary fails', async () => {
    setFaults(gateway, { primary: DOWN });
    const { data, response } = await ask('hello fallback');
    expect(response.headers.get('x-bulwark-served-by')).toBe('secondary-gpt35');
    expect(response.headers.get('x-bulwark-fallback-depth')).toBe('1');
    expect(response.headers.get('x-bulwark-attempts')).toBe('2');
    expect(data.choices[0].message.content).toContain('via secondary');
  });

  it('serves the last good answer from the cache when every model fails', async () => {
    const first = await ask('remember me');
    setFaults(gateway, { primary: DOWN, secondary: DOWN });
    const { data, response } = await ask('remember me');
    expect(response.headers.get('x-bulwark-served-by')).toBe('cache');
    expect(response.headers.get('x-bulwark-degraded')).toBe('true');
    expect(data.choices[0].message.content).toBe(first.data.choices[0].message.content);
  });

  it('answers with the default response when nothing else can', async () => {
    setFaults(gateway, { primary: DOWN, secondary: DOWN });
    const { data, response } = await ask('never seen before');
    expect(response.headers.get('x-bulwark-served-by')).toBe('default');
    expect(response.headers.get('x-bulwark-degraded')).toBe('true');
    expect(data.choices[0].message.content).toBe('Sorry, try again later.');
  });

  it('streams from the primary, in the wire format the SDK parses', async () => {
    const { data, response } = await askStream('stream primary');
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-bulwark-served-by')).toBe('primary-gpt4');
    const { text, finish, usage } = await collect(data);
    expect(text).toContain('via primary');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
  });

  it('streams from the secondary when the primary fails before the first token', async () => {
    setFaults(gateway, { primary: DOWN });
    const { data, response } = await askStream('stream fallback');
    expect(response.headers.get('x-bulwark-served-by')).toBe('secondary-gpt35');
    expect(response.headers.get('x-bulwark-fallback-depth')).toBe('1');
    expect((await collect(data)).text).toContain('via secondary');
  });

  it('streams a cached answer, then the default answer, when every model fails', async () => {
    const first = await collect((await askStream('stream remember')).data);
    setFaults(gateway, { primary: DOWN, secondary: DOWN });
    const cached = await askStream('stream remember');
    expect(cached.response.headers.get('x-bulwark-served-by')).toBe('cache');
    expect((await collect(cached.data)).text).toBe(first.text);
    const fallback = await askStream('stream never seen');
    expect(fallback.response.headers.get('x-bulwark-served-by')).toBe('default');
    expect((await collect(fallback.data)).text).toBe('Sorry, try again later.');
  });

  it('reports an unknown model as a 404 NotFoundError', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({ type: 'invalid_request_error' });
  });

  it('lists the routes as models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4', 'claude-sonnet']));
  });
});
