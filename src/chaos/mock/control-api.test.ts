import { afterEach, describe, expect, it } from 'vitest';
import { MOCK_CONTROL_MAX_BODY_BYTES } from './control-api.js';
import { MOCK_MAX_REQUEST_BYTES } from './engine.js';
import { startMockProvider, type MockProvider } from './server.js';
import { chatBody, postJson } from './test-support.js';

let mock: MockProvider;
afterEach(() => mock?.close());

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${mock.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const chatVia = async (deployment: string | undefined, model = 'gpt-4o') => {
  const base = deployment === undefined ? mock.url : mock.deploymentUrl(deployment);
  const response = await postJson(`${base}/v1/chat/completions`, chatBody({ model }));
  return { status: response.status, body: await response.json() };
};

describe('mock control API and deployments', () => {
  it('serves several logical deployments, failing one but not the other', async () => {
    mock = await startMockProvider({ profile: { deployments: { primary: { errors: { '503': 1 } } } } });
    expect((await chatVia('primary')).status).toBe(503);
    const secondary = await chatVia('secondary');
    expect(secondary.status).toBe(200);
    expect(secondary.body.choices[0].message.content).toMatch(/^mock answer from gpt-4o via secondary: [0-9a-f]{8}$/);
    expect(secondary.body.model).toBe('gpt-4o');
    const stats = mock.stats();
    expect(stats.byDeployment).toEqual({ primary: { requests: 1, byStatus: { '503': 1 } }, secondary: { requests: 1, byStatus: { '200': 1 } } });
    expect(stats.byModel['gpt-4o']).toEqual({ requests: 2, byStatus: { '503': 1, '200': 1 } });
  });

  it('applies per-model overrides over the default', async () => {
    mock = await startMockProvider({ profile: { default: { errors: { '500': 1 } }, models: { 'gpt-4o-mini': { errors: {} } } } });
    expect((await chatVia(undefined, 'gpt-4o')).status).toBe(500);
    expect((await chatVia(undefined, 'gpt-4o-mini')).status).toBe(200);
  });

  it('changes the profile at runtime: PUT a preset, PATCH a deployment, GET it back', async () => {
    mock = await startMockProvider();
    expect((await chatVia('primary')).status).toBe(200);
    expect((await send('PUT', '/_mock/profile', 'down')).status).toBe(200);
    expect((await chatVia('primary')).status).toBe(503);
    expect((await send('PUT', '/_mock/profile', { preset: 'healthy' })).status).toBe(200);
    const patched = await send('PATCH', '/_mock/profile', { deployments: { primary: { errors: { '429': 1 }, retryAfterMs: 100 } } });
    expect(patched.status).toBe(200);
    expect((await chatVia('primary')).status).toBe(429);
    expect((await chatVia('secondary')).status).toBe(200);
    expect(await (await send('GET', '/_mock/profile')).json()).toEqual({
      default: {},
      models: {},
      deployments: { primary: { errors: { '429': 1 }, retryAfterMs: 100 } },
    });
    await send('PATCH', '/_mock/profile', { deployments: { primary: null } });
    expect((await chatVia('primary')).status).toBe(200);
  });

  it('rejects invalid profiles with 400 naming the field and value, keeping the old profile', async () => {
    mock = await startMockProvider({ profile: 'down' });
    const bad = await send('PUT', '/_mock/profile', { default: { errors: { '503': 1.5 } } });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.issues[0]).toMatch(/^profile\.default\.errors\.503: .*\(got 1\.5\)$/);
    expect((await send('PUT', '/_mock/profile', 'stormy')).status).toBe(400);
    expect((await send('PATCH', '/_mock/profile', { models: { x: { latency: { kind: 'gaussian' } } } })).status).toBe(400);
    const notJson = await fetch(`${mock.url}/_mock/profile`, { method: 'PUT', body: 'down' });
    expect(notJson.status).toBe(400);
    expect((await chatVia(undefined)).status).toBe(503);
    expect((await send('GET', '/_mock/nothing')).status).toBe(404);
  });

  it('counts requests per model, status, endpoint; resets counters and everything', async () => {
    mock = await startMockProvider({ profile: { models: { 'gpt-4o': { authFailure: true } } } });
    await chatVia(undefined, 'gpt-4o');
    await chatVia(undefined, 'gpt-4o-mini');
    await chatVia(undefined, 'gpt-4o-mini');
    await fetch(`${mock.url}/v1/models`);
    const stats = await (await send('GET', '/_mock/stats')).json();
    expect(stats).toEqual({
      requests: 4,
      inFlight: 0,
      byStatus: { '401': 1, '200': 3 },
      byEndpoint: { 'chat.completions': 3, models: 1 },
      byModel: { 'gpt-4o': { requests: 1, byStatus: { '401': 1 } }, 'gpt-4o-mini': { requests: 2, byStatus: { '200': 2 } } },
      byDeployment: {},
      faults: { auth: 1 },
    });
    expect((await (await send('POST', '/_mock/stats/reset')).json()).requests).toBe(0);
    await send('PUT', '/_mock/profile', 'down');
    const reset = await (await send('POST', '/_mock/reset')).json();
    expect(reset.profile.models['gpt-4o']).toEqual({ authFailure: true });
    expect(reset.stats.requests).toBe(0);
    expect((await chatVia(undefined, 'gpt-4o-mini')).status).toBe(200);
    expect(await (await send('GET', '/_mock/presets')).json()).toEqual({ presets: expect.arrayContaining(['healthy', 'down', 'chaos']) });
  });

  it('programmatic setProfile and resetStats match the HTTP API', async () => {
    mock = await startMockProvider();
    mock.setProfile({ models: { 'gpt-4o': { errors: { '500': 1 } } } });
    expect((await chatVia(undefined, 'gpt-4o')).status).toBe(500);
    expect(mock.stats().byModel['gpt-4o'].byStatus).toEqual({ '500': 1 });
    mock.resetStats();
    expect(mock.stats().requests).toBe(0);
    expect(() => mock.setProfile({ default: { reset: -1 } })).toThrow(/profile\.default\.reset/);
  });

  it('lists models in the OpenAI or the Anthropic shape', async () => {
    mock = await startMockProvider({ models: ['m-1', 'm-2'] });
    expect(await (await fetch(`${mock.url}/v1/models`)).json()).toEqual({
      object: 'list',
      data: [
        { id: 'm-1', object: 'model', created: expect.any(Number), owned_by: 'bulwark-mock' },
        { id: 'm-2', object: 'model', created: expect.any(Number), owned_by: 'bulwark-mock' },
      ],
    });
    const anthropic = await (await fetch(`${mock.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } })).json();
    expect(anthropic).toMatchObject({ data: [{ type: 'model', id: 'm-1' }, { type: 'model', id: 'm-2' }], has_more: false, first_id: 'm-1', last_id: 'm-2' });
  });
});

describe('mock control API under hostile input', () => {
  it('refuses a chat body over the limit with 400 in the API\'s own error shape, without buffering it', async () => {
    mock = await startMockProvider();
    const huge = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(MOCK_MAX_REQUEST_BYTES) }] });
    const response = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', body: huge }).catch((error: unknown) => error as Error);
    expect(response).toBeInstanceOf(Response);
    if (response instanceof Response) {
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/larger than/) });
    }
    expect((await chatVia(undefined)).status).toBe(200);
  });

  it('answers 400 (mock error shape) to a malformed percent-encoded deployment name and keeps serving', async () => {
    mock = await startMockProvider();
    const bad = await fetch(`${mock.url}/deployments/%ZZ/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/deployment name/);
    expect((await chatVia('primary')).status).toBe(200);
  });

  it('refuses a control body over the limit with 400 in its own error shape, and keeps serving', async () => {
    mock = await startMockProvider();
    const huge = `{"default":{},"pad":"${'a'.repeat(MOCK_CONTROL_MAX_BODY_BYTES + 10)}"}`;
    const response = await fetch(`${mock.url}/_mock/profile`, { method: 'PUT', body: huge }).catch((error: unknown) => error as Error);
    // The mock may close the connection after answering; either way it must not have taken the body.
    expect(response).toBeInstanceOf(Response);
    if (response instanceof Response) {
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toMatch(/larger than/);
    }
    expect((await send('GET', '/_mock/profile')).status).toBe(200);
    expect((await chatVia(undefined)).status).toBe(200);
  });
});
