import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { DOWN, memoryLogger, setFaults, startTestGateway, testConfigYaml } from '../gateway/helpers.js';

const PROMPT = 'confidential prompt text for the access log test';
const CLIENT_KEY = 'sk-bulwark-client-access-log-key';

function configWith(access: string): string {
  return testConfigYaml(`auth:\n  keys:\n    - { sha256: "${sha(CLIENT_KEY)}", tenant: acme }\n`).replace('logging: { level: warn }', `logging: { level: info, access: ${access} }`);
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function ask(gateway: Gateway, extra: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...extra },
    body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: PROMPT }] }),
  });
  await response.text();
  return response;
}

function accessLines(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.log === 'access');
}

describe('access log: one structured line per request', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.shutdown(0);
    gateway = undefined;
  });

  it('names the request, tenant, route, what served it, attempts, status, latency and tokens; never the prompt, answer or key', async () => {
    const { logger, lines } = memoryLogger('info');
    gateway = await startTestGateway(configWith('{ enabled: true }'), { logger });
    const ok = await ask(gateway, { 'x-request-id': 'req-access-1' });
    expect(ok.status).toBe(200);
    setFaults(gateway, { primary: DOWN });
    const fallback = await ask(gateway, { 'x-request-id': 'req-access-2' });
    expect(fallback.headers.get('x-bulwark-served-by')).toBe('secondary-gpt35');
    await fetch(`${gateway.url}/v1/nothing-here`);

    const access = accessLines(lines);
    expect(access).toHaveLength(3);
    const [first, second, missing] = access;
    expect(first).toMatchObject({
      level: 30, msg: 'request', requestId: 'req-access-1', tenant: 'acme', method: 'POST', path: '/v1/chat/completions',
      route: 'gpt-4', servedBy: 'primary-gpt4', attempts: 1, fallbackDepth: 0, status: 200, degraded: false, stream: false, cacheHit: false,
    });
    expect(first!.latencyMs).toEqual(expect.any(Number));
    expect(first!.inputTokens).toBeGreaterThan(0);
    expect(first!.outputTokens).toBeGreaterThan(0);
    expect(second).toMatchObject({ requestId: 'req-access-2', servedBy: 'secondary-gpt35', attempts: 2, fallbackDepth: 1, status: 200 });
    expect(missing).toMatchObject({ path: '/v1/nothing-here', status: 404, servedBy: 'none', attempts: 0 });
    expect(first!.traceId).toBeUndefined(); // tracing is off

    const text = lines.join('\n');
    expect(text).not.toContain(PROMPT);
    expect(text).not.toContain(CLIENT_KEY);
    expect(text).not.toMatch(/"content"/);
  });

  it('samples successes at sampleRatio but always logs failures and degraded answers', async () => {
    const { logger, lines } = memoryLogger('info');
    gateway = await startTestGateway(configWith('{ enabled: true, sampleRatio: 0 }'), { logger });
    for (let i = 0; i < 3; i++) expect((await ask(gateway)).status).toBe(200);
    setFaults(gateway, { primary: DOWN, secondary: DOWN });
    const degraded = await ask(gateway, { 'x-request-id': 'req-degraded' });
    expect(degraded.headers.get('x-bulwark-degraded')).toBe('true'); // the stale cached answer
    const access = accessLines(lines);
    expect(access.map((l) => [l.requestId, l.servedBy, l.degraded])).toEqual([['req-degraded', degraded.headers.get('x-bulwark-served-by'), true]]);
  });

  it('writes at the configured level, and nothing when off (the default)', async () => {
    const debug = memoryLogger('debug');
    gateway = await startTestGateway(configWith('{ enabled: true, level: debug }'), { logger: debug.logger });
    await ask(gateway);
    expect(accessLines(debug.lines).map((l) => l.level)).toEqual([20]);
    await gateway.shutdown(0);
    const off = memoryLogger('debug');
    gateway = await startTestGateway(configWith('{}'), { logger: off.logger });
    await ask(gateway);
    expect(accessLines(off.lines)).toEqual([]);
  });
});
