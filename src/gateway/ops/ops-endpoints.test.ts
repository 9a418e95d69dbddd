import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { DOWN, setFaults, startTestGateway, testConfigYaml } from '../../../test/gateway/helpers.js';
import type { Gateway } from '../gateway.js';

// /livez, /readyz, /health and /metrics over real HTTP, against an in-process gateway on port 0
// whose providers are the embedded mock (primary and secondary logical deployments).

const chat = (gateway: Gateway, model = 'gpt-4') =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  }).then(async (res) => ({ status: res.status, servedBy: res.headers.get('x-bulwark-served-by'), body: await res.text() }));

const getJson = async (gateway: Gateway, path: string) => {
  const res = await fetch(`${gateway.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), json: (await res.json()) as Record<string, any> };
};

describe('ops endpoints', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.shutdown(1000);
    gateway = undefined;
  });

  it('GET /livez answers 200 while the process runs, also while draining', async () => {
    gateway = await startTestGateway(testConfigYaml().replace('server: { port: 0 }', 'server: { port: 0, drainDelayMs: 200 }'));
    expect(await getJson(gateway, '/livez')).toMatchObject({ status: 200, json: { status: 'ok' } });
    const stopping = gateway.shutdown(1000);
    expect((await getJson(gateway, '/livez')).status).toBe(200);
    await stopping;
    gateway = undefined;
  });

  it('GET /readyz: ready with the config generation; 503 with a reason while draining', async () => {
    gateway = await startTestGateway(testConfigYaml().replace('server: { port: 0 }', 'server: { port: 0, drainDelayMs: 200 }'));
    expect(await getJson(gateway, '/readyz')).toMatchObject({ status: 200, json: { status: 'ready', configGeneration: 1 } });
    const stopping = gateway.shutdown(1000);
    const draining = await getJson(gateway, '/readyz');
    expect(draining.status).toBe(503);
    expect(draining.json).toMatchObject({ status: 'draining' });
    expect(draining.json.reason).toContain('shutting down');
    await stopping;
    gateway = undefined;
  });

  // Issue 13 defect 5: readiness used to fail when every deployment of a required route was down,
  // so a provider outage took every pod out of its Service and the fallbacks reached no one.
  it('GET /readyz stays 200 when every breaker of a required route is open (a provider outage is /health\'s news, not readiness)', async () => {
    gateway = await startTestGateway(testConfigYaml().replace('breaker: { failureThreshold: 1000 }', 'breaker: { failureThreshold: 2, openMs: 60s }'));
    setFaults(gateway, { primary: DOWN, secondary: DOWN });
    for (let i = 0; i < 4; i++) await chat(gateway);
    const view = gateway.router.inspect().routes.find((r) => r.name === 'gpt-4')!;
    expect(view.chain.flatMap((g) => g.deployments.map((d) => d.breaker))).toEqual(['open', 'open']);

    expect(await getJson(gateway, '/readyz')).toMatchObject({ status: 200, json: { status: 'ready', configGeneration: 1 } });
    expect((await getJson(gateway, '/livez')).status).toBe(200);
    const health = await getJson(gateway, '/health');
    expect(health.status).toBe(503);
    expect(health.json.status).toBe('fail');
  });

  it('GET /readyz stays 200 when every deployment of a required route is drained', async () => {
    gateway = await startTestGateway();
    for (const id of ['primary-gpt4', 'secondary-gpt35', 'primary-sonnet', 'secondary-haiku']) gateway.router.drain(id);
    expect((await getJson(gateway, '/readyz')).status).toBe(200);
    expect((await getJson(gateway, '/health')).status).toBe(503);
  });

  it('GET /health: pass (200) on a fresh gateway, as application/health+json with component:measurement checks', async () => {
    gateway = await startTestGateway();
    const res = await getJson(gateway, '/health');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/health+json');
    expect(res.json.status).toBe('pass');
    for (const id of ['primary-gpt4', 'secondary-gpt35', 'primary-sonnet', 'secondary-haiku']) {
      expect(res.json.checks[`${id}:breaker`][0]).toMatchObject({ componentId: id, componentType: 'deployment', observedValue: 'closed', status: 'pass' });
      expect(res.json.checks[`${id}:error-rate`][0]).toMatchObject({ observedUnit: 'percent', status: 'pass' });
      expect(res.json.checks[`${id}:latency`][0].status).toBe('pass');
    }
    expect(res.json.checks['gpt-4:usable-deployments'][0]).toMatchObject({ observedValue: 2, status: 'pass' });
  });

  it('GET /health: warn (200) while the primary fails (error rate, last error and its time), fail (503) when a required route has no usable deployment', async () => {
    gateway = await startTestGateway();
    setFaults(gateway, { primary: DOWN });
    for (let i = 0; i < 12; i++) expect((await chat(gateway)).servedBy).toBe('secondary-gpt35');

    const warn = await getJson(gateway, '/health');
    expect(warn.status).toBe(200);
    expect(warn.json.status).toBe('warn');
    const errorRate = warn.json.checks['primary-gpt4:error-rate'][0];
    expect(errorRate).toMatchObject({ status: 'warn', observedValue: 100, observedUnit: 'percent' });
    const lastError = warn.json.checks['primary-gpt4:last-error'][0];
    expect(lastError.observedValue).toBe('overloaded');
    expect(Date.now() - Date.parse(lastError.time)).toBeLessThan(10_000);
    expect(warn.json.checks['secondary-gpt35:error-rate'][0].status).toBe('pass');
    expect(warn.json.checks['secondary-gpt35:last-error']).toBeUndefined();

    gateway.router.forceOpen('primary-gpt4');
    gateway.router.forceOpen('secondary-gpt35');
    const fail = await getJson(gateway, '/health');
    expect(fail.status).toBe(503);
    expect(fail.type).toBe('application/health+json');
    expect(fail.json.status).toBe('fail');
    expect(fail.json.checks['primary-gpt4:breaker'][0]).toMatchObject({ observedValue: 'isolated', status: 'warn' });
    expect(fail.json.checks['gpt-4:usable-deployments'][0]).toMatchObject({ observedValue: 0, status: 'fail' });
    expect(fail.json.output).toContain('gpt-4');
  });

  it('GET /metrics: Prometheus text with the GenAI and Bulwark series, gateway overhead and in-flight', async () => {
    gateway = await startTestGateway();
    setFaults(gateway, { primary: DOWN });
    for (let i = 0; i < 3; i++) await chat(gateway);
    const res = await fetch(`${gateway.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      'gen_ai_client_operation_duration_seconds_bucket', 'bulwark_requests_total', 'bulwark_attempts_total', 'bulwark_breaker_state',
      'bulwark_deployment_up', 'bulwark_requests_in_flight', 'bulwark_gateway_overhead_seconds_count', 'bulwark_fallbacks_total',
    ]) expect(text).toContain(name);
    expect(text).toMatch(/bulwark_requests_total\{[^}]*route="gpt-4"[^}]*served_by="secondary-gpt35"[^}]*\} 3/);
    expect(text).toMatch(/bulwark_attempts_total\{[^}]*deployment="primary-gpt4"[^}]*status="error"[^}]*\} 3/);
    expect(text).toMatch(/bulwark_gateway_overhead_seconds_count 3/);
    expect(text).toMatch(/bulwark_requests_in_flight\{route="gpt-4"\} 0/);
  });

  it('keeps recording across a reload: the new router\'s requests reach metrics, SLA and health', async () => {
    gateway = await startTestGateway();
    await chat(gateway);
    const next = testConfigYaml().replace('- { name: gpt-4, chain: [gpt4, gpt35]', '- { name: gpt-5, chain: [gpt35] }\n  - { name: gpt-4, chain: [gpt4, gpt35]');
    await gateway.reload(parseConfig(next, { env: {} }));
    expect((await chat(gateway, 'gpt-5')).servedBy).toBe('secondary-gpt35');
    await chat(gateway);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/bulwark_requests_total\{[^}]*route="gpt-5"[^}]*\} 1/);
    expect(metrics).toMatch(/bulwark_requests_in_flight\{route="gpt-4"\} 0/);
    expect(await getJson(gateway, '/readyz')).toMatchObject({ status: 200, json: { configGeneration: 2 } });
    gateway.router.drain('secondary-gpt35');
    const health = await getJson(gateway, '/health');
    expect(health.status).toBe(503);
    expect(health.json.checks['gpt-5:usable-deployments'][0]).toMatchObject({ observedValue: 0, status: 'fail' });
  });
});
