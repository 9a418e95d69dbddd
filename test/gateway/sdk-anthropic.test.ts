import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { DOWN, setFaults, startTestGateway } from './helpers.js';

// The official @anthropic-ai/sdk pointed at the gateway's /v1/messages.
describe('gateway with the @anthropic-ai/sdk', () => {
  let gateway: Gateway;
  let client: Anthropic;

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = new Anthropic({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(() => gateway.shutdown(1000));
  beforeEach(() => gateway.mock('m')!.setProfile('healthy'));

  const ask = (content: string) =>
    client.messages.create({ model: 'claude-sonnet', max_tokens: 64, messages: [{ role: 'user', content }] }).withResponse();
  const askStream = (content: string) =>
    client.messages.create({ model: 'claude-sonnet', max_tokens: 64, messages: [{ role: 'user', content }], stream: true }).withResponse();

  async function collect(stream: AsyncIterable<Anthropic.RawMessageStreamEvent>) {
    let text = '';
    let stop: string | null = null;
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') stop = event.delta.stop_reason;
    }
    return { text, stop };
  }
  const textOf = (message: Anthropic.Message) => message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');

  it('answers from the primary when it is healthy', async () => {
    const { data, response } = await ask('hello primary');
    expect(response.headers.get('x-bulwark-served-by')).toBe('primary-sonnet');
    expect(data.type).toBe('message');
    expect(data.stop_reason).toBe('end_turn');
    expect(textOf(data)).toContain('via primary');
  });

  it('falls back to the secondary when the primary fails', async () => {
    setFaults(gateway, { primary: DOWN });
    const { data, response } = await ask('hello fallback');
    expect(response.headers.get('x-bulwark-served-by')).toBe('secondary-haiku');
    expect(response.headers.get('x-bulwark-fallback-depth')).toBe('1');
    expect(textOf(data)).toContain('via secondary');
  });

  it('serves the cache, then the default answer, when every model fails', async () => {
    const first = await ask('remember me');
    setFaults(gateway, { primary: DOWN, secondary: DOWN });
    const cached = await ask('remember me');
    expect(cached.response.headers.get('x-bulwark-served-by')).toBe('cache');
    expect(textOf(cached.data)).toBe(textOf(first.data));
    const fallback = await ask('nobody asked this before');
    expect(fallback.response.headers.get('x-bulwark-served-by')).toBe('default');
    expect(fallback.response.headers.get('x-bulwark-degraded')).toBe('true');
    expect(textOf(fallback.data)).toBe('Sorry, try again later.');
  });

  it('streams from the primary and from the secondary after a primary failure', async () => {
    const primary = await askStream('stream primary');
    expect(primary.response.headers.get('x-bulwark-served-by')).toBe('primary-sonnet');
    expect(await collect(primary.data)).toMatchObject({ stop: 'end_turn', text: expect.stringContaining('via primary') });

    setFaults(gateway, { primary: DOWN });
    const secondary = await askStream('stream fallback');
    expect(secondary.response.headers.get('x-bulwark-served-by')).toBe('secondary-haiku');
    expect((await collect(secondary.data)).text).toContain('via secondary');
  });

  it('streams the cached and the default answers when every model fails', async () => {
    const first = await collect((await askStream('stream remember')).data);
    setFaults(gateway, { primary: DOWN, secondary: DOWN });
    const cached = await askStream('stream remember');
    expect(cached.response.headers.get('x-bulwark-served-by')).toBe('cache');
    expect((await collect(cached.data)).text).toBe(first.text);
    const fallback = await askStream('stream never asked');
    expect(fallback.response.headers.get('x-bulwark-served-by')).toBe('default');
    expect((await collect(fallback.data)).text).toBe('Sorry, try again later.');
  });

  it('reports errors in the Anthropic format (unknown model → NotFoundError)', async () => {
    const error = await client.messages.create({ model: 'claude-9', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('lists models in the Anthropic format', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['claude-sonnet', 'gpt-4']));
  });
});
