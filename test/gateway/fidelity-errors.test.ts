/**
 * Upstream refusals of a request (4xx), over real sockets. Same API: the client gets the
 * provider's own status, body and allow-listed headers as they came (pass-through first), with
 * the deployment's key blanked. Other API: the error in the client's format, keeping the
 * provider's message, type, code and param. Streams refused before their first byte alike.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway } from './helpers.js';
import { RecordingUpstream } from './recording-upstream.js';

const OPENAI_KEY = 'sk-openai-canary-7f3a9c21d4';
const ANTHROPIC_KEY = 'sk-ant-canary-5b8e0d6f2a';

function config(openai: string, anthropic: string): string {
  return `
server: { port: 0 }
logging: { level: warn }
providers:
  oai: { type: openai, baseUrl: ${openai}/v1, apiKey: "\${OPENAI_KEY}" }
  ant: { type: anthropic, baseUrl: ${anthropic}, apiKey: "\${ANTHROPIC_KEY}" }
modelGroups:
  gpt: { deployments: [ { id: gpt-1, provider: oai, model: gpt-4o } ] }
  claude: { deployments: [ { id: claude-1, provider: ant, model: claude-sonnet-4-5 } ] }
routes:
  - { name: gpt-4, chain: [gpt] }
  - { name: claude, chain: [claude] }
  - { name: gpt-on-claude, chain: [claude] }
  - { name: claude-on-gpt, chain: [gpt] }
policies:
  retry: { maxAttempts: 1 }
`;
}

/** OpenAI's 404 for an unknown model, echoing the key (as some upstreams do) and with a field no SDK knows. */
const OPENAI_404 = {
  error: {
    message: `The model \`gpt-4o\` does not exist or you do not have access to it (key ${OPENAI_KEY}).`,
    type: 'invalid_request_error', param: 'model', code: 'model_not_found', a_field_added_later: 1,
  },
};
const OPENAI_HEADERS = { 'x-request-id': 'req_upstream_404', 'x-ratelimit-remaining-requests': '4999', 'openai-processing-ms': '12', 'x-internal-debug': 'not-for-clients' };

const ANTHROPIC_400 = { type: 'error', error: { type: 'invalid_request_error', message: `messages.0.content: Input should be a valid list (key ${ANTHROPIC_KEY})` }, request_id: 'req_011CTdnm' };
const ANTHROPIC_HEADERS = { 'request-id': 'req_011CTdnm', 'anthropic-ratelimit-requests-remaining': '49', 'x-internal-debug': 'not-for-clients' };

const blanked = (text: string, key: string): string => text.split(key).join('[redacted]');

describe('upstream 4xx refusals', () => {
  let openaiUp: RecordingUpstream;
  let anthropicUp: RecordingUpstream;
  let gateway: Gateway;

  beforeAll(async () => {
    openaiUp = await RecordingUpstream.start();
    anthropicUp = await RecordingUpstream.start();
    gateway = await startTestGateway(config(openaiUp.url, anthropicUp.url), { env: { OPENAI_KEY, ANTHROPIC_KEY } });
  });
  afterAll(async () => {
    await gateway.shutdown(1000);
    await openaiUp.close();
    await anthropicUp.close();
  });
  beforeEach(() => {
    openaiUp.answers({ status: 404, headers: OPENAI_HEADERS, body: JSON.stringify(OPENAI_404) });
    anthropicUp.answers({ status: 400, headers: ANTHROPIC_HEADERS, body: JSON.stringify(ANTHROPIC_400) });
  });

  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('OpenAI → OpenAI: the provider’s status, body and allow-listed headers as they came, key blanked', async () => {
    const res = await post('/v1/chat/completions', { model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(blanked(JSON.stringify(OPENAI_404), OPENAI_KEY));
    expect(res.headers.get('x-upstream-request-id')).toBe('req_upstream_404');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('4999');
    expect(res.headers.get('openai-processing-ms')).toBe('12');
    expect(res.headers.get('x-internal-debug')).toBeNull();
    expect(res.headers.get('x-request-id')).not.toBe('req_upstream_404'); // the gateway's own id stays
    expect(res.headers.get('x-bulwark-served-by')).toBeTruthy();
  });

  it('OpenAI → OpenAI, the SDK: a NotFoundError with the provider’s code and param', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).param).toBe('model');
  });

  it('a stream refused before its first byte is answered the same way', async () => {
    const res = await post('/v1/chat/completions', { model: 'gpt-4', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(blanked(JSON.stringify(OPENAI_404), OPENAI_KEY));
  });

  it('Anthropic → Anthropic: the provider’s body and headers as they came, key blanked', async () => {
    const res = await post('/v1/messages', { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(blanked(JSON.stringify(ANTHROPIC_400), ANTHROPIC_KEY));
    expect(res.headers.get('x-upstream-request-id')).toBe('req_011CTdnm');
    expect(res.headers.get('anthropic-ratelimit-requests-remaining')).toBe('49');
    expect(res.headers.get('x-internal-debug')).toBeNull();
  });

  it('OpenAI client → Anthropic deployment: OpenAI’s format, keeping Anthropic’s type and message', async () => {
    const res = await post('/v1/chat/completions', { model: 'gpt-on-claude', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain(ANTHROPIC_KEY);
    const body = JSON.parse(text) as { error: { message: string; type: string; code: string | null } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('messages.0.content: Input should be a valid list');
    expect(res.headers.get('anthropic-ratelimit-requests-remaining')).toBeNull(); // another API's headers are not the client's
  });

  it('Anthropic client → OpenAI deployment: Anthropic’s format, keeping OpenAI’s status, message and code', async () => {
    const client = new Anthropic({ apiKey: 'unused', baseURL: gateway.url, maxRetries: 0 });
    const error = await client.messages.create({ model: 'claude-on-gpt', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    const body = (error as InstanceType<typeof Anthropic.NotFoundError>).error as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('does not exist or you do not have access to it');
    expect(body.error.message).toContain('model_not_found');
    expect(JSON.stringify(body)).not.toContain(OPENAI_KEY);
  });

  it('an upstream 5xx is still the gateway’s to word (it failed over or gave up; not the request’s fault)', async () => {
    openaiUp.answers({ status: 500, headers: OPENAI_HEADERS, body: '{"error":{"message":"boom","type":"server_error","upstream_only":true}}' });
    const res = await post('/v1/chat/completions', { model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(await res.text()).not.toContain('upstream_only');
  });
});
